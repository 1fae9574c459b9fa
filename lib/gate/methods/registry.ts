// The payment methods a gate offers, registered per method/intent. The core finds a credential's method
// here by its challenge's `method` and `intent`; x402 `exact` rides on the method it names (`evm/charge`).
import { methodKey, type MethodKey, type MethodRegistry, type PaymentMethod, type X402Adapter } from '../types'

export function createMethodRegistry(methods: readonly PaymentMethod[], x402: X402Adapter | null = null): MethodRegistry {
  const byKey = new Map<MethodKey, PaymentMethod>()
  for (const method of methods) {
    const key = methodKey(method.method, method.intent)
    if (byKey.has(key)) throw new Error(`payment method ${key} is registered twice`)
    byKey.set(key, method)
  }
  if (x402 && !byKey.has(x402.over)) throw new Error(`x402 rides on ${x402.over}, which is not registered`)
  return {
    all: [...byKey.values()],
    find: (method, intent) => byKey.get(methodKey(method, intent)),
    x402,
  }
}
