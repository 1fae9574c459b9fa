// The wallet path as a sequence of steps: connect -> network -> balance -> sign (or send) -> settle.
// Each wallet call goes through the connected wallet's own provider; failures become a readable
// notice and leave the payer one click from retrying. Nothing is submitted for an expired offer.
import { useCallback, useEffect, useRef, useState } from 'react'
import { useConfig, useConnection, useConnectors } from 'wagmi'
import { connect, disconnect, getConnection, switchChain } from 'wagmi/actions'
import { authorizationCredential, hashCredential, prepareAuthorization } from '@/lib/checkout/authorization'
import { formatTokenAmount } from '@/lib/checkout/format'
import type { CheckoutEvm } from '@/lib/checkout/load-checkout'
import { isFresh, type EvmOffer } from '@/lib/checkout/offers'
import { classifyWalletError } from '@/lib/checkout/wallet-errors'
import * as Challenge from '@/lib/protocol/Challenge'
import type { SubmitOutcome, SubmitProblem } from '../useCheckoutSession'
import * as Provider from './provider-calls'

export type WalletPhase =
  | 'choose'
  | 'connecting'
  | 'switching'
  | 'wrong-network'
  | 'checking'
  | 'insufficient'
  | 'ready'
  | 'signing'
  | 'sending'
  | 'confirming'
  | 'settling'

export type Notice = { tone: 'error' | 'info'; text: string }

export type WalletPaymentOptions = {
  offer: EvmOffer
  evm: CheckoutEvm
  freshOffer(): Promise<EvmOffer>
  submit(credential: string, headerName?: string): Promise<SubmitOutcome>
}

export function useWalletPayment({ offer, evm, freshOffer, submit }: WalletPaymentOptions) {
  const config = useConfig()
  const connection = useConnection()
  const connectors = useConnectors()
  const [phase, setPhase] = useState<WalletPhase>('choose')
  const [notice, setNotice] = useState<Notice | null>(null)
  const [balance, setBalance] = useState<bigint | null>(null)
  const [hashFallback, setHashFallback] = useState(false)
  const phaseRef = useRef(phase)
  useEffect(() => {
    phaseRef.current = phase
  }, [phase])
  const symbol = evm.token.symbol
  const chainName = evm.chain.name

  /** The connected wallet's EIP-1193 provider, refusing to continue on another chain. */
  const walletProvider = useCallback(
    async (chainId: number): Promise<Provider.Eip1193Provider> => {
      const connector = getConnection(config).connector
      if (!connector) throw new Error('No wallet is connected.')
      const provider = (await connector.getProvider()) as Provider.Eip1193Provider
      const current = await Provider.chainIdOf(provider)
      if (current !== chainId) throw new Error(`Your wallet is on chain ${current}, not ${chainName} (chain ID ${chainId}).`)
      return provider
    },
    [config, chainName],
  )

  /** After connecting (or when the wallet changes account or network): right chain, enough balance. */
  const prepare = useCallback(async () => {
    const { address, chainId, status } = getConnection(config)
    if (status !== 'connected' || !address) {
      setPhase('choose')
      return
    }
    if (chainId !== offer.chainId) {
      setPhase('switching')
      try {
        await switchChain(config, { chainId: offer.chainId })
      } catch (error) {
        const problem = classifyWalletError(error)
        setNotice({
          tone: 'error',
          text:
            problem.kind === 'rejected'
              ? `Your wallet is on another network. Switch it to ${chainName} to pay; nothing was charged.`
              : `Your wallet could not switch to ${chainName} (chain ID ${offer.chainId}). Add or select that network in your wallet, then try again.`,
        })
        setPhase('wrong-network')
        return
      }
    }
    setPhase('checking')
    try {
      const held = await Provider.tokenBalance(await walletProvider(offer.chainId), offer.currency, address)
      setBalance(held)
      if (held < offer.amount) {
        setNotice({
          tone: 'error',
          text: `This account holds ${formatTokenAmount(held, offer.decimals)} ${symbol} on ${chainName}, less than the ${formatTokenAmount(offer.amount, offer.decimals)} ${symbol} this costs. Add funds or switch to another account; nothing was charged.`,
        })
        setPhase('insufficient')
        return
      }
      setNotice(null)
      setPhase('ready')
    } catch (error) {
      setNotice({ tone: 'error', text: `Your ${symbol} balance could not be read. ${classifyWalletError(error).message}` })
      setPhase('insufficient')
    }
  }, [config, offer.chainId, offer.currency, offer.amount, offer.decimals, chainName, symbol, walletProvider])

  const choose = useCallback(
    async (connectorUid: string) => {
      const connector = connectors.find((c) => c.uid === connectorUid)
      if (!connector) return
      setNotice(null)
      setHashFallback(false)
      setPhase('connecting')
      try {
        const current = getConnection(config)
        if (current.status === 'connected' && current.connector?.uid !== connector.uid) await disconnect(config)
        if (current.connector?.uid !== connector.uid || current.status !== 'connected') await connect(config, { connector })
      } catch (error) {
        const problem = classifyWalletError(error)
        setNotice({
          tone: 'error',
          text: problem.kind === 'rejected' ? 'You declined the connection in your wallet. Choose a wallet to try again.' : problem.message,
        })
        setPhase('choose')
        return
      }
      await prepare()
    },
    [config, connectors, prepare],
  )

  const switchWallet = useCallback(async () => {
    setNotice(null)
    setBalance(null)
    setHashFallback(false)
    await disconnect(config).catch(() => {})
    setPhase('choose')
  }, [config])

  // The wallet switched account or network on its own: check again before anything is signed.
  useEffect(() => {
    if (['ready', 'insufficient', 'wrong-network'].includes(phaseRef.current) && connection.status === 'connected') void prepare()
    if (connection.status === 'disconnected' && phaseRef.current !== 'choose' && phaseRef.current !== 'connecting') setPhase('choose')
  }, [connection.address, connection.chainId, connection.status, prepare])

  const explain = useCallback((problem: SubmitProblem, afterTransfer?: `0x${string}`) => {
    const sent = afterTransfer ? `Your transfer ${afterTransfer} was sent; ` : 'Nothing was charged. '
    let text: string
    if (problem.code === 'payment-expired')
      text = `The payment request expired before it reached the server. ${sent}Review the new request and pay again.`
    else if (problem.status === 503)
      text = `The payment network is not reachable right now (${problem.detail || problem.title}). Try again in a moment; you will not be charged twice.`
    else if (problem.status === 429) text = 'Too many attempts in a short time. Wait a minute, then try again.'
    else if (problem.status === 0) text = problem.detail
    else
      text = `The payment did not go through: ${problem.detail || problem.title}. ${afterTransfer ? `Your transfer ${afterTransfer} was sent; keep this hash.` : 'Nothing was charged.'}`
    setNotice({ tone: 'error', text })
  }, [])

  /** Signs the EIP-3009 authorization for a fresh offer and submits it (the server pays the gas). */
  const pay = useCallback(async () => {
    setNotice(null)
    let current: EvmOffer
    try {
      current = await freshOffer()
    } catch (error) {
      setNotice({ tone: 'error', text: error instanceof Error ? error.message : 'The payment request could not be renewed.' })
      return
    }
    const { address, chainId } = getConnection(config)
    if (!address) return setPhase('choose')
    if (chainId !== current.chainId) return prepare()
    const prepared = prepareAuthorization(current, address, evm.token)
    setPhase('signing')
    let signature: `0x${string}`
    try {
      signature = await Provider.signTypedData(await walletProvider(current.chainId), address, prepared.typedDataJson)
    } catch (error) {
      const problem = classifyWalletError(error)
      if (problem.kind === 'unsupported' && current.credentialTypes.includes('hash')) {
        setHashFallback(true)
        setNotice({
          tone: 'info',
          text: 'Your wallet cannot sign payment authorizations. You can send the transfer from your wallet instead; your wallet pays a small network fee.',
        })
      } else
        setNotice({
          tone: 'error',
          text: problem.kind === 'rejected' ? 'You declined the signature in your wallet. Nothing was charged.' : problem.message,
        })
      setPhase('ready')
      return
    }
    if (!isFresh(current, Date.now(), 5_000)) {
      // Submitting would only be refused: renew quietly and ask again.
      await freshOffer().catch(() => {})
      setNotice({
        tone: 'error',
        text: 'The payment request expired while waiting for your signature. Nothing was charged. Review the renewed request and pay again.',
      })
      setPhase('ready')
      return
    }
    setPhase('settling')
    const outcome = await submit(authorizationCredential(current, prepared, signature), Challenge.credentialHeader(current.challenge))
    if (outcome.ok) return
    explain(outcome.problem)
    setPhase('ready')
  }, [config, evm.token, freshOffer, prepare, submit, walletProvider, explain])

  /** Fallback for wallets without typed-data signing: send the ERC-20 transfer, then submit its hash. */
  const payWithTransfer = useCallback(async () => {
    setNotice(null)
    let current: EvmOffer
    try {
      current = await freshOffer()
    } catch (error) {
      setNotice({ tone: 'error', text: error instanceof Error ? error.message : 'The payment request could not be renewed.' })
      return
    }
    const { address, chainId } = getConnection(config)
    if (!address) return setPhase('choose')
    if (chainId !== current.chainId) return prepare()
    setPhase('sending')
    let hash: `0x${string}`
    try {
      const provider = await walletProvider(current.chainId)
      hash = await Provider.sendTransfer(provider, address, current.currency, current.recipient, current.amount)
      setPhase('confirming')
      if (!(await Provider.waitForReceipt(provider, hash))) {
        setNotice({ tone: 'error', text: `The transfer ${hash} failed on chain, so nothing moved. Check your balance and try again.` })
        setPhase('ready')
        return
      }
    } catch (error) {
      const problem = classifyWalletError(error)
      setNotice({
        tone: 'error',
        text: problem.kind === 'rejected' ? 'You declined the transfer in your wallet. Nothing was charged.' : problem.message,
      })
      setPhase('ready')
      return
    }
    setPhase('settling')
    let outcome = await submit(hashCredential(current, hash, address), Challenge.credentialHeader(current.challenge))
    // The transfer stands on its own: if the request lapsed meanwhile, present it with a fresh one.
    if (!outcome.ok && (outcome.problem.code === 'payment-expired' || outcome.problem.code === 'invalid-challenge')) {
      const renewed = await freshOffer().catch(() => null)
      if (renewed) outcome = await submit(hashCredential(renewed, hash, address), Challenge.credentialHeader(renewed.challenge))
    }
    if (outcome.ok) return
    explain(outcome.problem, hash)
    setPhase('ready')
  }, [config, freshOffer, prepare, submit, walletProvider, explain])

  return {
    phase,
    notice,
    balance,
    // Below the server's settlement minimum the offer takes only transfers the payer sends (no signed authorization).
    hashFallback: hashFallback || !offer.credentialTypes.includes('authorization'),
    connectors,
    address: connection.status === 'connected' ? connection.address : undefined,
    connectorName: connection.status === 'connected' ? connection.connector?.name : undefined,
    connectorIcon: connection.status === 'connected' ? connection.connector?.icon : undefined,
    chainId: connection.status === 'connected' ? connection.chainId : undefined,
    choose,
    retryNetwork: prepare,
    pay,
    payWithTransfer,
    switchWallet,
  }
}
