/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { textColorOn } from '#common/contrast';

const css = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f3f4f6}
main{max-width:34rem;margin:0 auto;padding:1.25rem}
.card{background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.08);overflow:hidden}
.bar{height:.4rem;background:var(--brand)}
.body{padding:1.5rem}
.from{font-size:.85rem;font-weight:600;color:#4b5563;margin:0 0 .5rem}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
.logo{max-height:2.5rem;margin-bottom:1rem}
blockquote{margin:1rem 0;padding:.75rem 1rem;background:#f9fafb;border-left:3px solid var(--brand);white-space:pre-wrap}
.meta{color:#4b5563;font-size:.95rem}
.meta code{overflow-wrap:anywhere}
form{margin:0}
label{display:block;font-size:.9rem;margin:.75rem 0 .25rem}
input{width:100%;padding:.6rem .7rem;border:1px solid #6b7280;border-radius:.5rem;font:inherit}
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}
button{font:inherit;padding:.65rem 1.2rem;border-radius:.5rem;border:1px solid transparent;cursor:pointer}
.primary{background:var(--brand);color:var(--on-brand)}
.secondary{background:#fff;border-color:#d1d5db;color:#1f2937}
button:focus-visible,input:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.error{color:#b91c1c}
.qr{margin-top:1.5rem;text-align:center}.qr svg{width:11rem;height:11rem}
`;

/** The page frame: one column, readable on a phone, tinted with the tenant's colour. */
export function Layout(props: { title: string; brand: string; lang: string; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={props.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <meta name="referrer" content="no-referrer" />
          <title>{props.title}</title>
          {/* raw: JSX would escape the quotes in font names; the colour is validated as #rrggbb. The tenant
              picks it freely, so the text on it is white or near-black, whichever reads (as in the email). */}
          <style>{raw(`:root{--brand:${props.brand};--on-brand:${textColorOn(props.brand)}}${css}`)}</style>
        </head>
        <body>
          <main>
            <div class="card">
              <div class="bar" />
              <div class="body">{props.children}</div>
            </div>
          </main>
        </body>
      </html>
    </>
  );
}
