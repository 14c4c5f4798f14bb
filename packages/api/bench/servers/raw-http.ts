// The ceiling: node:http answering a fixed ~300-byte JSON body.
import http from "node:http";

const body = JSON.stringify({
  data: {
    product: {
      id: "p-1",
      name: "Product 1",
      rating: { count: 41, average: 4.1244567, plainMean: 4.2, credibleInterval: { low: 3.8765, high: 4.4321 } },
      padding: "x".repeat(140),
    },
  },
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => console.log(`listening http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`));
