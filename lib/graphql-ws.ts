// The `nestjs-keysmith/graphql-ws` entry point: apart from the package root, whose types then
// never need `graphql-ws`.
export { keysmithGraphqlWs, type KeysmithGraphqlWsOptions } from './graphql/keysmith-graphql-ws.js';
