'use client'
// Wallet sign-in. Wallets are discovered with EIP-6963 (and the legacy window.ethereum); the code
// that builds and signs the SIWE message is loaded only when the merchant clicks. In demo mode the
// demo merchant is offered after any wallet, signed for by the local chain.
import { useEffect, useState } from 'react'
import type { Eip1193Provider } from './wallet-sign-in'

type Wallet = { id: string; name: string; icon?: string; provider: Eip1193Provider }
type AnnounceEvent = CustomEvent<{ info: { uuid: string; name: string; icon: string; rdns: string }; provider: Eip1193Provider }>

/** `demoMerchant`: the demo merchant's address in demo mode (TOLLGATE_DEMO=1, local chain), else null. */
export function SignIn({ next, demoMerchant = null }: { next: string; demoMerchant?: string | null }) {
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

  async function signInWith(id: string, provider: () => Promise<Eip1193Provider>) {
    setBusy(id)
    setError(null)
    try {
      const [{ signInWithWallet }, chosen] = await Promise.all([import('./wallet-sign-in'), provider()])
      await signInWithWallet(chosen)
      window.location.assign(next)
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Sign-in failed.')
      setBusy(null)
    }
  }

  const signInAsDemoMerchant = (address: string) =>
    signInWith('demo-merchant', async () => (await import('./demo-merchant-provider')).demoMerchantProvider(address))

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
          onClick={() => signInWith(wallet.id, async () => wallet.provider)}
          data-testid="sign-in-wallet"
        >
          {wallet.icon ? (
            // eslint-disable-next-line @next/next/no-img-element -- a wallet's own data: URI icon
            <img src={wallet.icon} alt="" />
          ) : null}
          {busy === wallet.id ? 'Check your wallet…' : `Sign in with ${wallet.name}`}
        </button>
      ))}
      {ready && wallets.length === 0 && !demoMerchant ? (
        <div className="alert info">
          No wallet found in this browser. Install a browser wallet (any EIP-1193 wallet works), then reload this page.
        </div>
      ) : null}
      {!ready ? <div className="skeleton" style={{ height: 46 }} aria-label="Looking for wallets" /> : null}
      {demoMerchant ? (
        <>
          <button
            type="button"
            className={`btn${ready && wallets.length === 0 ? ' primary' : ''}`}
            disabled={busy !== null}
            onClick={() => signInAsDemoMerchant(demoMerchant)}
            data-testid="sign-in-demo-merchant"
          >
            {busy === 'demo-merchant' ? 'Signing in…' : 'Sign in as the demo merchant'}
          </button>
          <p className="fine" data-testid="demo-merchant-note">
            Demo mode: the local chain signs for anvil test account #0 (<span className="mono">{demoMerchant}</span>), the merchant of the
            demo links. No wallet needed.
          </p>
        </>
      ) : null}
    </div>
  )
}
