// The emulators ship without type declarations; they export a factory returning an http.Server
// (dynalite, kinesalite) and a class with run()/close() (s3rver).
declare module 'dynalite' {
  import type { Server } from 'node:http';
  function dynalite(options?: Record<string, unknown>): Server;
  export = dynalite;
}
declare module 'kinesalite' {
  import type { Server } from 'node:http';
  function kinesalite(options?: Record<string, unknown>): Server;
  export = kinesalite;
}
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';
  class S3rver {
    constructor(options?: Record<string, unknown>);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}
