// The slice of an EIP-3009 ERC-20 (USDC FiatToken v2.2 and TestUSDC) that the rail calls.
import { parseAbi } from 'viem'

export const tokenAbi = parseAbi([
  'function balanceOf(address account) view returns (uint256)',
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
  'function transfer(address to, uint256 value) returns (bool)',
  // Every EIP-3009 token has the v,r,s form; USDC v2.2 adds the bytes form, which accepts ERC-1271.
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
])

/** `transfer(address,uint256)` selector, the only call a `transaction` credential may make. */
export const transferSelector = '0xa9059cbb'
