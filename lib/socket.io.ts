// The `nestjs-keysmith/socket.io` entry point: apart from the package root, so that only an
// application that uses it needs `@nestjs/platform-socket.io`.
export { KeysmithIoAdapter, type KeysmithSocketRefusal } from './websockets/keysmith-io.adapter.js';
