// The same Yoga, mounted inside Express 5 (how most apps mount it).
import express from "express";
import { createSchema, createYoga } from "graphql-yoga";
import { resolvers, typeDefs } from "./rating-schema.js";

const yoga = createYoga({ schema: createSchema({ typeDefs, resolvers }), logging: false, graphiql: false });
const app = express();
app.use(yoga.graphqlEndpoint, (req, res) => yoga(req, res));
const server = app.listen(0, "127.0.0.1", () =>
  console.log(`listening http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`),
);
