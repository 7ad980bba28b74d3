import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves `pdf` at a random loopback port for the URL-import step; closed right after. */
export async function serveOnce(pdf: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
    res.end(pdf);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/manuel-check-import.pdf`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
