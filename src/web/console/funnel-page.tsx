/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { getTenant } from '#tenants';
import type { ConsoleDeps } from './deps';
import { funnel, type FunnelRow } from './funnel';
import { ConsolePage } from './layout';
import type { ConsoleEnv } from './middleware';

const PERIODS = [7, 30, 90, 365];
const BARS: Array<[keyof Omit<FunnelRow, 'channel'>, string, string]> = [
  ['created', 'Created', '#6366f1'],
  ['delivered', 'Delivered', '#0ea5e9'],
  ['accepted', 'Accepted', '#10b981'],
  ['declined', 'Declined', '#f97316'],
  ['expired', 'Expired', '#9ca3af'],
];

/** One channel's funnel as horizontal bars; the numbers are in the text too, for screen readers. */
function FunnelChart(props: { row: FunnelRow }) {
  const { row } = props;
  const max = Math.max(1, row.created);
  return (
    <div class="card">
      <h2 style="margin-top:0">{row.channel}</h2>
      {BARS.map(([key, label, colour]) => (
        <div style="display:grid;grid-template-columns:6rem 1fr 4rem;gap:.5rem;align-items:center;margin:.25rem 0">
          <span>{label}</span>
          <span style="background:#f3f4f6;border-radius:.3rem;height:1.1rem;display:block">
            <span
              style={`display:block;height:100%;border-radius:.3rem;background:${colour};width:${(100 * row[key]) / max}%`}
            />
          </span>
          <span>
            {row[key]}
            {key !== 'created' && row.created ? (
              <span class="muted"> ({Math.round((100 * row[key]) / row.created)}%)</span>
            ) : null}
          </span>
        </div>
      ))}
    </div>
  );
}

/** The funnel page: created → delivered → accepted (and declined, expired) over a chosen period, per channel. */
export function createFunnelPage(deps: ConsoleDeps) {
  return new Hono<ConsoleEnv>().get('/console/funnel', async (c) => {
    const days = PERIODS.includes(Number(c.req.query('days'))) ? Number(c.req.query('days')) : 30;
    const now = deps.clock.now();
    const rows = await funnel(deps.db, c.var.session.tenantId, new Date(now.getTime() - days * 86_400_000));
    const tenant = await getTenant(deps.db, c.var.session.tenantId);
    return c.html(
      <ConsolePage
        title="Funnel"
        section="funnel"
        tenantName={tenant.name}
        csrf={c.var.session.csrfToken}
        rights={c.var.session.rights}
      >
        <form method="get" class="filters">
          <div>
            <label for="days">Invitations created in the last</label>
            <select id="days" name="days">
              {PERIODS.map((d) => (
                <option value={String(d)} selected={d === days}>
                  {d} days
                </option>
              ))}
            </select>
          </div>
          <button class="secondary" type="submit">
            Show
          </button>
        </form>
        {rows.length === 0 ? (
          <p class="card muted">No invitation was created in this period.</p>
        ) : (
          rows.map((row) => <FunnelChart row={row} />)
        )}
      </ConsolePage>,
    );
  });
}
