import { textColorOn } from '#common/contrast';
import type { EmailContext } from './copy';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for HTML text and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const P = `margin:0 0 16px;${FONT};font-size:16px;line-height:24px;color:#1f2937`;
const META = `margin:0 0 8px;${FONT};font-size:15px;line-height:22px;color:#4b5563`;
const SMALL = `margin:0 0 8px;${FONT};font-size:13px;line-height:20px;color:#4b5563`;

/** Only http(s) logos: anything else (data:, javascript:) is dropped rather than shown. */
function safeLogo(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/**
 * The built-in HTML body: a table layout with inline styles, which email clients render alike (no <style>,
 * no flexbox). Every value from `vars` is escaped; the message keeps its line breaks as <br>.
 */
export function renderHtmlBody(ctx: EmailContext): string {
  const { copy, vars, kind, brand } = ctx;
  const esc = escapeHtml;
  const strong = (value: string) => `<strong>${esc(value)}</strong>`;
  const logo = safeLogo(vars.logoUrl);
  const heading = esc(copy.heading(kind, vars.inviterName, vars.targetName));
  const url = esc(vars.acceptUrl);
  const lines: string[] = [
    logo
      ? `<img src="${esc(logo)}" alt="${esc(vars.tenantName)}" height="40" style="display:block;height:40px;max-height:40px;width:auto;border:0;margin:0 0 24px">`
      : `<p style="margin:0 0 24px;${FONT};font-size:14px;font-weight:600;letter-spacing:.02em;color:#4b5563">${esc(vars.tenantName)}</p>`,
    `<h1 style="margin:0 0 16px;${FONT};font-size:22px;line-height:30px;font-weight:700;color:#111827">${heading}</h1>`,
    `<p style="${P}">${esc(copy.greeting(vars.recipientName))}</p>`,
    `<p style="${P}">${copy.lead(kind, strong(vars.inviterName), strong(vars.targetName), strong(ctx.expires))}</p>`,
  ];
  if (vars.role !== null) lines.push(`<p style="${META}">${esc(copy.role)} ${strong(vars.role)}</p>`);
  if (vars.rules.length > 0) lines.push(`<p style="${META}">${esc(copy.rules)} ${esc(vars.rules.join(', '))}</p>`);
  if (vars.message !== null) {
    const message = esc(vars.message.replace(/\r\n?/g, '\n')).replace(/\n/g, '<br>');
    lines.push(
      `<p style="${META};margin-top:16px">${esc(copy.wrote(vars.inviterName))}</p>`,
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px"><tr>` +
        `<td style="border-left:4px solid ${brand};background:#f9fafb;padding:12px 16px;${FONT};font-size:16px;line-height:24px;color:#1f2937">${message}</td>` +
        `</tr></table>`,
    );
  }
  lines.push(
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0"><tr>` +
      `<td align="center" bgcolor="${brand}" style="border-radius:8px;background:${brand}">` +
      `<a href="${url}" target="_blank" style="display:inline-block;padding:14px 28px;${FONT};font-size:16px;font-weight:600;line-height:20px;color:${textColorOn(brand)};text-decoration:none;border-radius:8px">${esc(copy.accept)}</a>` +
      `</td></tr></table>`,
    `<p style="${SMALL}">${esc(copy.linkIntro)}</p>`,
    `<p style="${SMALL};word-break:break-all"><a href="${url}" style="color:#374151">${url}</a></p>`,
  );
  const footer = `${esc(copy.ignore)}<br>${esc(copy.sentBy(vars.tenantName))}`;
  return `<!DOCTYPE html>
<html lang="${esc(ctx.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${heading}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6">
<div style="display:none;max-height:0;overflow:hidden;opacity:0">${heading}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background:#f3f4f6"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:560px;background:#ffffff;border-radius:12px">
<tr><td height="6" bgcolor="${brand}" style="height:6px;line-height:6px;font-size:0;background:${brand};border-radius:12px 12px 0 0">&nbsp;</td></tr>
<tr><td style="padding:32px 32px 24px">
${lines.join('\n')}
</td></tr>
</table>
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:560px"><tr><td style="padding:16px 32px">
<p style="${SMALL};text-align:center">${footer}</p>
</td></tr></table>
</td></tr></table>
</body>
</html>
`;
}
