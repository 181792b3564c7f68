/** Piston's WebSocket route, `/api/v2/connect`, on the API's own HTTP server (the `ws` adapter); the protocol is piston-connect.ts. */
import type { IncomingMessage } from 'node:http';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { PistonConnect } from './piston-connect';

/** A message is an init (an execute body: files up to the request body limit's order) or a chunk of stdin. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

@WebSocketGateway({ path: '/api/v2/connect', maxPayload: MAX_MESSAGE_BYTES })
export class PistonConnectGateway implements OnGatewayConnection {
  constructor(private readonly connect: PistonConnect) {}

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    this.connect.serve(ws, req);
  }
}
