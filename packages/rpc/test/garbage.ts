import { connect } from 'node:net';

/**
 * Writes bytes that are not HTTP/2 to `port` and resolves once the server
 * has reacted (answered or hung up), so the caller can check it still serves.
 */
export function sendGarbage(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff\xfe garbage garbage'));
    });
    const finish = (): void => {
      socket.destroy();
      resolve();
    };
    socket.on('data', finish);
    socket.on('error', finish);
    socket.on('close', finish);
  });
}
