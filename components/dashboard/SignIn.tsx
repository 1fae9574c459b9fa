'use client'
// Wallet sign-in. Wallets are discovered with EIP-6963 (and the legacy window.ethereum); the code
// that builds and signs the SIWE message is loaded only when the merchant clicks.
import { useEffect, useState } from 'react'
import type { Eip1193Provider } from './wallet-sign-in'

type Wallet = { id: string; name: string; icon?: string; provider: Eip1193Provider }
type AnnounceEvent = CustomEvent<{ info: { uuid: string; name: string; icon: string; rdns: string }; provider: Eip1193Provider }>

export function SignIn({ next }: { next: string }) {
  const [wallets, setWallets] = useState<Wallet[]>([])
  const [ready, setReady] = useState(false)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const found = new Map<string, Wallet>()
    const publish = () => setWallets([...found.values()])
    const onAnnounce = (event: Event) => {
      const { info, provider } = (event as AnnounceEvent).detail
      found.set(info.uuid, { id: info.uuid, name: info.name, icon: info.icon, provider })
      publish()
    }
    window.addEventListener('eip6963:announceProvider', onAnnounce)
    window.dispatchEvent(new Event('eip6963:requestProvider'))
    // Wallets that predate EIP-6963 only set window.ethereum.
    const timer = setTimeout(() => {
      const legacy = (window as unknown as { ethereum?: Eip1193Provider }).ethereum
      if (found.size === 0 && legacy) found.set('injected', { id: 'injected', name: 'Browser wallet', provider: legacy })
      publish()
      setReady(true)
    }, 250)
    return () => {
      window.removeEventListener('eip6963:announceProvider', onAnnounce)
      clearTimeout(timer)
    }
  }, [])

  async function signInWith(wallet: Wallet) {
    setBusy(wallet.id)
    setError(null)
    try {
      const { signInWithWallet } = await import('./wallet-sign-in')
      await signInWithWallet(wallet.provider)
      window.location.assign(next)
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Sign-in failed.')
      setBusy(null)
    }
  }

  return (
    <div className="wallet-list">
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {wallets.map((wallet) => (
        <button
          key={wallet.id}
          type="button"
          className="btn primary"
          disabled={busy !== null}
          onClick={() => signInWith(wallet)}
          data-testid="sign-in-wallet"
        >
          {wallet.icon ? (
            // eslint-disable-next-line @next/next/no-img-element -- a wallet's own data: URI icon
            <img src={wallet.icon} alt="" />
          ) : null}
          {busy === wallet.id ? 'Check your wallet…' : `Sign in with ${wallet.name}`}
        </button>
      ))}
      {ready && wallets.length === 0 ? (
        <div className="alert info">
          No wallet found in this browser. Install a browser wallet (any EIP-1193 wallet works), then reload this page.
        </div>
      ) : null}
      {!ready ? <div className="skeleton" style={{ height: 46 }} aria-label="Looking for wallets" /> : null}
    </div>
  )
}
