// The contract between the server-written checkout page and its browser bundle: where the flow
// mounts and where the checkout it is for is embedded (as inert JSON, never as script).

export const flowMountId = 'checkout-flow'
export const checkoutDataId = 'checkout-data'
