/** Reading the QR codes the site draws (qrcode's SVG) back into module positions. */

/** The dark modules of qrcode's SVG path ("M x y" a new row, "m dx 0" a gap, "h n" n dark modules), as "row,column". */
export function darkModules(path: string, margin: number): Set<string> {
  const dark = new Set<string>();
  let x = 0;
  let y = 0;
  for (const [, command, first, second] of path.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    const a = Number(first);
    if (command === 'M') [x, y] = [a, Number(second)];
    else if (command === 'm') x += a;
    else {
      for (let i = 0; i < a; i++) dark.add(`${Math.floor(y - 0.5) - margin},${x + i - margin}`);
      x += a;
    }
  }
  return dark;
}
