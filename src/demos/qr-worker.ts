/**
 * Draws a stage page's QR code off the main thread, for a page served from another origin than
 * the one the build encoded (StageQr.astro). Encoding took about 60 ms of main-thread time on
 * this machine's desktop CPU, four times that on Lighthouse's mid-range phone: as one task, most
 * of a stage page's total blocking time. Here it costs the page one message.
 *
 * Answers { url, mask } with what differs from the SVG the build writes (qrcode's: a white square
 * and one path of dark modules): the side in modules and the dark path. The page sets those two
 * attributes instead of parsing a new SVG. An address that does not fit a QR code gets an error.
 */
import QRCode from 'qrcode';

export interface QrRequest {
  url: string;
  /** The mask the build chose: any of the 8 is a valid code, and scoring all 8 is most of the work. */
  mask: number;
}

export type QrReply = { modules: number; dark: string } | { error: string };

/** The side (viewBox) and the dark modules' path of qrcode's SVG. */
export function svgParts(svg: string): { modules: number; dark: string } | null {
  const side = /viewBox="0 0 (\d+) \1"/.exec(svg);
  const dark = /<path stroke="#000000" d="([^"]+)"/.exec(svg);
  return side && dark ? { modules: Number(side[1]), dark: dark[1]! } : null;
}

self.addEventListener('message', (event: MessageEvent<QrRequest>) => {
  const { url, mask } = event.data;
  QRCode.toString(url, {
    type: 'svg',
    margin: 1,
    width: 64,
    errorCorrectionLevel: 'M',
    maskPattern: mask as QRCode.QRCodeMaskPattern,
  }).then(
    (svg) => self.postMessage((svgParts(svg) ?? { error: 'qrcode wrote an SVG of an unexpected shape' }) satisfies QrReply),
    (error: unknown) => self.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies QrReply),
  );
});
