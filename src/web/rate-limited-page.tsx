/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { Layout } from './layout';

const NEUTRAL_BRAND = '#4f46e5';

function RateLimitedPage(props: { seconds: number }) {
  return (
    <Layout title="Please wait a moment" brand={NEUTRAL_BRAND} lang="en">
      <h1>Please wait a moment</h1>
      <p>Too many requests came from your network in a short time, so this one was not carried out.</p>
      <p class="meta">Try again in {props.seconds} seconds. Nothing was changed.</p>
    </Layout>
  );
}

/**
 * What a person sees over an anonymous limit (the accept page, console sign-in): a page, with
 * the status 429 and the wait the headers give. Names no tenant: nothing about the request is read.
 */
export function rateLimitedPage(c: Context, retryAfterSeconds: number): Response | Promise<Response> {
  c.header('cache-control', 'no-store');
  return c.html(<RateLimitedPage seconds={retryAfterSeconds} />, 429);
}
