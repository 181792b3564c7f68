/** The npm `piston-client` ships no types: what the Piston compatibility test uses of it. */
declare module 'piston-client' {
  export interface PistonClient {
    runtimes(): Promise<any>;
    execute(language: string, code: string, config?: object): Promise<any>;
  }
  export function piston(opts?: { server?: string }): PistonClient;
}
