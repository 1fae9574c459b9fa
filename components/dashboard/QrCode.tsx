// The share panel's QR code. Tollgate ships no QR encoder yet (a dependency is needed; see the
// README's dashboard section), so this renders a labelled placeholder with the URL as text.
export function QrCode({ url }: { url: string }) {
  return (
    <figure className="qr" style={{ margin: 0 }} data-testid="qr-code">
      <div className="qr-missing" role="img" aria-label={`QR code for ${url} (not available on this server)`}>
        QR code not available on this server yet
      </div>
      <figcaption>Scan to open the checkout</figcaption>
    </figure>
  )
}
