/** Pages people see: the accept page behind every invitation link. */
export { createAcceptPageRoutes } from './routes';
