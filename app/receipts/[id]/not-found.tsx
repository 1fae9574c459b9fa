
export default function ReceiptNotFound() {
  return (
    <div className="checkout-page">
      <header className="checkout-header">
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- next/link would add its router code to this page's bundle */}
        <a href="/" className="brand">Tollgate</a>
      </header>
      <main className="checkout-main">
        <div className="checkout-single">
          <section className="checkout-panel" aria-labelledby="receipt-missing">
            <h1 id="receipt-missing" className="checkout-title">Receipt not found</h1>
            <p>No receipt has this address. Check that you copied the whole link.</p>
          </section>
        </div>
      </main>
    </div>
  )
}
