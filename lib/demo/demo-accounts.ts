// anvil's published default accounts the demo uses. They only ever hold local test funds: never use
// these keys on a real chain.

/** anvil account #0: the demo merchant (and the settler that pays gas). */
export const demoMerchantAddress = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

/** anvil account #1: the payer of the demo's terminal commands and the checkout's test wallet. */
export const demoPayerPrivateKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
