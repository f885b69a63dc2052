/** Pages people see: the accept page behind every invitation link, and the operator console. */
export { createAcceptPageRoutes } from './routes';
export { createConsoleRoutes } from './console/routes';
export { pruneSessions } from './console/sessions';
