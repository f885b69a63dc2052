/**
 * What to tell someone whose server could not listen: the address, why, and the setting that changes it. The causes a
 * newcomer meets (a second `npm start`, a port below 1024, a HOST from another machine) are named; anything else
 * keeps the system's own words.
 */
export function listenRefusal(error: NodeJS.ErrnoException, host: string, port: number): string {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${address}: another process (another Usher?) is using it; set PORT to a free port, or 0 for any`;
    case 'EACCES':
      return `cannot listen on ${address}: not permitted (ports below 1024 need privileges); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `cannot listen on ${address}: ${host} is not an address of this machine; set HOST (127.0.0.1, or 0.0.0.0 for all)`;
    default:
      return `cannot listen on ${address}: ${error.message}`;
  }
}
