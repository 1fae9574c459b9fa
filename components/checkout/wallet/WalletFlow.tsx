// What the payer sees on the wallet path: the wallets found, then one line per step with its state,
// one primary action, and a live region that reads out progress and problems.
import { formatTokenAmount } from '@/lib/checkout/format'
import type { CheckoutEvm } from '@/lib/checkout/load-checkout'
import type { EvmOffer } from '@/lib/checkout/offers'
import type { SubmitOutcome } from '../useCheckoutSession'
import { useWalletPayment, type WalletPhase } from './useWalletPayment'
import { testWalletId } from './wagmi-config'

export type WalletFlowProps = {
  offer: EvmOffer
  evm: CheckoutEvm
  freshOffer(): Promise<EvmOffer>
  submit(credential: string, headerName?: string): Promise<SubmitOutcome>
}

type StepState = 'done' | 'current' | 'todo' | 'problem'

const order: WalletPhase[] = [
  'choose',
  'connecting',
  'switching',
  'wrong-network',
  'checking',
  'insufficient',
  'ready',
  'signing',
  'sending',
  'confirming',
  'settling',
]

export function WalletFlow(props: WalletFlowProps) {
  const { offer, evm } = props
  const wallet = useWalletPayment(props)
  const { phase, notice } = wallet
  const amount = `${formatTokenAmount(offer.amount, offer.decimals)} ${evm.token.symbol}`
  const at = (p: WalletPhase) => order.indexOf(phase) >= order.indexOf(p)
  const busy = ['connecting', 'switching', 'checking', 'signing', 'sending', 'confirming', 'settling'].includes(phase)

  const steps: Array<{ label: string; state: StepState }> = [
    {
      label: wallet.connectorName ? `Connected: ${wallet.connectorName}` : 'Connect a wallet',
      state: phase === 'choose' ? 'current' : phase === 'connecting' ? 'current' : 'done',
    },
    {
      label: `Use ${evm.chain.name}`,
      state: phase === 'wrong-network' ? 'problem' : phase === 'switching' ? 'current' : at('checking') ? 'done' : 'todo',
    },
    {
      label:
        wallet.balance !== null
          ? `Balance: ${formatTokenAmount(wallet.balance, offer.decimals)} ${evm.token.symbol}`
          : `Check ${evm.token.symbol} balance`,
      state: phase === 'insufficient' ? 'problem' : phase === 'checking' ? 'current' : at('ready') ? 'done' : 'todo',
    },
    {
      label: wallet.hashFallback ? 'Send the transfer from your wallet' : 'Sign the payment (no gas)',
      state: phase === 'signing' || phase === 'sending' || phase === 'confirming' ? 'current' : phase === 'settling' ? 'done' : 'todo',
    },
    { label: `Settle on ${evm.chain.name}`, state: phase === 'settling' ? 'current' : 'todo' },
  ]

  const status: Record<WalletPhase, string> = {
    choose: 'Choose a wallet.',
    connecting: 'Approve the connection in your wallet…',
    switching: `Approve the switch to ${evm.chain.name} in your wallet…`,
    'wrong-network': `Your wallet is not on ${evm.chain.name}.`,
    checking: `Checking your ${evm.token.symbol} balance…`,
    insufficient: 'Not enough balance.',
    ready: `Ready to pay ${amount}.`,
    signing: 'Confirm the signature in your wallet…',
    sending: 'Confirm the transfer in your wallet…',
    confirming: 'Waiting for your transfer to be confirmed…',
    settling: `Settling ${amount} on ${evm.chain.name}…`,
  }

  return (
    <div className="wallet" data-phase={phase}>
      <div className="wallet-top">
        {phase === 'choose' || phase === 'connecting' ? (
          <WalletList wallet={wallet} disabled={phase === 'connecting'} />
        ) : (
          <div className="wallet-account">
            <div className="wallet-account-head">
              <WalletIcon icon={wallet.connectorIcon} name={wallet.connectorName ?? 'Wallet'} />
              <strong>{wallet.connectorName ?? 'Wallet'}</strong>
              <button type="button" className="link-button" onClick={() => void wallet.switchWallet()} disabled={busy}>
                Change wallet
              </button>
            </div>
            <code className="mono-wrap small" data-testid="wallet-address">
              {wallet.address ?? '—'}
            </code>
            <span className="muted small">
              {wallet.chainId === offer.chainId ? evm.chain.name : wallet.chainId ? `Chain ${wallet.chainId}` : '—'}
              {wallet.balance !== null ? ` · ${formatTokenAmount(wallet.balance, offer.decimals)} ${evm.token.symbol}` : ''}
            </span>
          </div>
        )}
      </div>

      <ol className="steps" aria-label="Payment steps">
        {steps.map((step) => (
          <li key={step.label} className={`step step-${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
            <span className="step-mark" aria-hidden="true" />
            <span>{step.label}</span>
            <span className="visually-hidden">
              {step.state === 'done'
                ? ' (done)'
                : step.state === 'problem'
                  ? ' (needs attention)'
                  : step.state === 'current'
                    ? ' (in progress)'
                    : ''}
            </span>
          </li>
        ))}
      </ol>

      <p className="wallet-status" role="status" aria-live="polite" data-testid="wallet-status">
        {status[phase]}
      </p>
      <div className="notice-slot">
        {notice && (
          <p
            className={`notice ${notice.tone === 'error' ? 'notice-error' : 'notice-info'}`}
            role={notice.tone === 'error' ? 'alert' : 'status'}
            data-testid="wallet-notice"
          >
            {notice.text}
          </p>
        )}
      </div>

      <div className="wallet-actions">
        {phase === 'wrong-network' ? (
          <button type="button" className="button pay-button" onClick={() => void wallet.retryNetwork()}>
            Switch to {evm.chain.name}
          </button>
        ) : phase === 'insufficient' ? (
          <button type="button" className="button secondary pay-button" onClick={() => void wallet.retryNetwork()}>
            Check balance again
          </button>
        ) : wallet.hashFallback ? (
          <button
            type="button"
            className="button pay-button"
            onClick={() => void wallet.payWithTransfer()}
            disabled={phase !== 'ready'}
            data-testid="pay-transfer-button"
          >
            {phase === 'ready' ? `Send ${amount} from my wallet` : 'Waiting for the transfer…'}
          </button>
        ) : (
          <button
            type="button"
            className="button pay-button"
            onClick={() => void wallet.pay()}
            disabled={phase !== 'ready'}
            data-testid="pay-button"
          >
            {phase === 'ready'
              ? `Pay ${amount}`
              : phase === 'signing'
                ? 'Waiting for signature…'
                : phase === 'settling'
                  ? 'Settling…'
                  : `Pay ${amount}`}
          </button>
        )}
        <p className="muted small">
          {wallet.hashFallback
            ? `Your wallet sends ${amount} to the recipient above and pays the network fee; this page then proves the transfer.`
            : `You sign an authorization for exactly ${amount} to the recipient above. This server submits it and pays the network fee.`}
        </p>
      </div>
    </div>
  )
}

function WalletList({ wallet, disabled }: { wallet: ReturnType<typeof useWalletPayment>; disabled: boolean }) {
  const found = wallet.connectors.filter((c) => c.id !== testWalletId && c.id !== 'injected')
  const test = wallet.connectors.find((c) => c.id === testWalletId)
  return (
    <div className="wallet-list" role="group" aria-label="Wallets">
      {found.map((connector) => (
        <button
          key={connector.uid}
          type="button"
          className="wallet-option"
          disabled={disabled}
          onClick={() => void wallet.choose(connector.uid)}
        >
          <WalletIcon icon={connector.icon} name={connector.name} />
          <span>{connector.name}</span>
        </button>
      ))}
      {found.length === 0 && (
        <p className="muted small" data-testid="no-wallet">
          No browser wallet found. Install a wallet extension (MetaMask, Rabby, Coinbase Wallet…) and reload this page
          {test ? ', or use the test wallet below' : ''}.
        </p>
      )}
      {test && (
        <button type="button" className="wallet-option wallet-option-test" disabled={disabled} onClick={() => void wallet.choose(test.uid)}>
          <span className="wallet-icon wallet-icon-fallback" aria-hidden="true">
            T
          </span>
          <span>
            Test wallet <span className="pill">demo</span>
            <span className="muted small block">anvil account #1 with local test USDC; no extension needed</span>
          </span>
        </button>
      )}
    </div>
  )
}

function WalletIcon({ icon, name }: { icon: string | undefined; name: string }) {
  // EIP-6963 icons are data: URIs; anything else (a remote URL) is not loaded.
  return icon?.startsWith('data:image/') ? (
    // eslint-disable-next-line @next/next/no-img-element -- a data: URI, nothing to optimise
    <img src={icon} alt="" width={28} height={28} className="wallet-icon" />
  ) : (
    <span className="wallet-icon wallet-icon-fallback" aria-hidden="true">
      {name.slice(0, 1)}
    </span>
  )
}
