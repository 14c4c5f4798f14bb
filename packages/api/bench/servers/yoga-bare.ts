// GraphQL Yoga on node:http, answering from memory.
import http from "node:http";
import { createSchema, createYoga } from "graphql-yoga";
import { resolvers, typeDefs } from "./rating-schema.js";

const yoga = createYoga({ schema: createSchema({ typeDefs, resolvers }), logging: false, graphiql: false });
const server = http.createServer(yoga);
server.listen(0, "127.0.0.1", () => console.log(`listening http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`));
