import { z } from '@hono/zod-openapi';

/** True for a BCP 47 tag that Intl accepts ("en", "fr-CA"); "zz-!!" or "en_US" would make Intl throw. */
export function isLocaleTag(tag: string): boolean {
  try {
    Intl.getCanonicalLocales(tag);
    return true;
  } catch {
    return false;
  }
}

/** `tag` when Intl accepts it, else `fallback`: rows stored before locales were checked must still render. */
export function usableLocale(tag: string, fallback = 'en'): string {
  return isLocaleTag(tag) ? tag : fallback;
}

/** A locale field of a request: a BCP 47 tag, checked by Intl so that no page or email can fail on it later. */
export const LocaleTagSchema = z
  .string()
  .min(2)
  .max(35)
  .refine(isLocaleTag, 'a BCP 47 language tag, e.g. "en" or "fr-CA"');
