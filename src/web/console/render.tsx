/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Db } from '#db';
import { getTenant } from '#tenants';
import { ConsolePage, type ConsoleSection } from './layout';
import type { ConsoleEnv } from './middleware';

/** Renders a console page of one section for the signed-in tenant. */
export function pageRenderer(db: Db, section: ConsoleSection) {
  return async (c: Context<ConsoleEnv>, title: string, body: Child, status: ContentfulStatusCode = 200) => {
    const tenant = await getTenant(db, c.var.session.tenantId);
    return c.html(
      <ConsolePage
        title={title}
        section={section}
        tenantName={tenant.name}
        csrf={c.var.session.csrfToken}
        rights={c.var.session.rights}
      >
        {body}
      </ConsolePage>,
      status,
    );
  };
}
