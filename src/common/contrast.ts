/**
 * White or near-black (#111827), whichever reads better on `background` (#rrggbb): the text colour
 * for a tenant's brand colour, which the tenant picks freely. By WCAG 2's relative luminance.
 */
export function textColorOn(background: string): string {
  const channel = (i: number) => {
    const c = parseInt(background.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white is 1.05 / (L + 0.05), with #111827 about (L + 0.05) / 0.0655.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0655 ? '#ffffff' : '#111827';
}
