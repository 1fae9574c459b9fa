// The share panel's QR code: encoded on the server by the qrcode package, drawn as one SVG path (no client JS).
import * as QRCode from 'qrcode'

/** Light modules around the symbol that a scanner needs to find it (ISO/IEC 18004 asks for 4). */
export const quietZone = 4

/** One SVG path drawing every dark module, a horizontal run of them per subpath, offset by the quiet zone. */
export function modulesPath(modules: QRCode.BitMatrix): string {
  const { size } = modules
  let d = ''
  for (let row = 0; row < size; row++) {
    let col = 0
    while (col < size) {
      if (!modules.get(row, col)) {
        col++
        continue
      }
      const start = col
      while (col < size && modules.get(row, col)) col++
      d += `M${start + quietZone} ${row + quietZone}h${col - start}v1h-${col - start}z`
    }
  }
  return d
}

export function QrCode({ url }: { url: string }) {
  // Level M survives about 15 % damage: enough for a screen or a printout, and keeps short URLs at a small version.
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' })
  const extent = modules.size + 2 * quietZone
  return (
    <figure className="qr" data-testid="qr-code">
      <svg
        role="img"
        aria-label={`QR code for ${url}`}
        viewBox={`0 0 ${extent} ${extent}`}
        shapeRendering="crispEdges"
        xmlns="http://www.w3.org/2000/svg"
        data-modules={modules.size}
      >
        <rect width={extent} height={extent} fill="#fff" />
        <path d={modulesPath(modules)} fill="#000" />
      </svg>
      <figcaption>Scan to open the checkout</figcaption>
    </figure>
  )
}
