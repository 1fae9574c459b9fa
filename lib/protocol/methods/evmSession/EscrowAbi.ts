// The escrow's interface: the functions draft-evm-session-00 defines (Contract Functions; the mandatory core
// and the EIP-3009 relayed profile), the views, events and errors of contracts/SessionEscrow.sol.
// A test checks it against the compiled contract, so clients and the server need no compiler.
import { parseAbi } from 'viem'

export const escrowAbi = parseAbi([
  'struct Channel { address payer; address payee; address token; address authorizedSigner; uint128 deposit; uint128 settled; uint64 closeRequestedAt; bool finalized; }',
  'function open(address payee, address token, uint128 deposit, bytes32 salt, address authorizedSigner) returns (bytes32 channelId)',
  'function openWithAuthorization(address payee, address token, uint128 deposit, bytes32 salt, address authorizedSigner, address from, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature) returns (bytes32 channelId)',
  'function topUp(bytes32 channelId, uint128 additionalDeposit)',
  'function topUpWithAuthorization(bytes32 channelId, uint128 additionalDeposit, address from, bytes32 topUpSalt, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
  'function settle(bytes32 channelId, uint128 cumulativeAmount, bytes signature)',
  'function close(bytes32 channelId, uint128 cumulativeAmount, bytes signature)',
  'function requestClose(bytes32 channelId)',
  'function withdraw(bytes32 channelId)',
  'function getChannel(bytes32 channelId) view returns (Channel)',
  'function computeChannelId(address payer, address payee, address token, bytes32 salt, address authorizedSigner) view returns (bytes32)',
  'function domainSeparator() view returns (bytes32)',
  'function hashVoucher(bytes32 channelId, uint128 cumulativeAmount) view returns (bytes32)',
  'function CLOSE_GRACE_PERIOD() view returns (uint64)',
  'function MIN_CLOSE_GRACE_PERIOD() view returns (uint64)',
  'function DOMAIN_NAME() view returns (string)',
  'function DOMAIN_VERSION() view returns (string)',
  'function VOUCHER_TYPEHASH() view returns (bytes32)',
  'event ChannelOpened(bytes32 indexed channelId, address indexed payer, address indexed payee, address token, address authorizedSigner, bytes32 salt, uint128 deposit)',
  'event TopUp(bytes32 indexed channelId, address indexed payer, address indexed payee, address funder, uint128 additionalDeposit, uint128 newDeposit)',
  'event Settled(bytes32 indexed channelId, address indexed payer, address indexed payee, uint128 cumulativeAmount, uint128 deltaPaid)',
  'event CloseRequested(bytes32 indexed channelId, address indexed payer, address indexed payee, uint256 closeGraceEnd)',
  'event CloseRequestCancelled(bytes32 indexed channelId, address indexed payer, address indexed payee)',
  'event ChannelClosed(bytes32 indexed channelId, address indexed payer, address indexed payee, uint128 settledToPayee, uint128 refundedToPayer)',
  'event ChannelWithdrawn(bytes32 indexed channelId, address indexed payer, address indexed payee, uint128 refundedToPayer)',
  'error ChannelAlreadyExists()',
  'error ChannelNotFound()',
  'error ChannelFinalized()',
  'error NotPayee()',
  'error NotPayer()',
  'error AmountNotIncreasing()',
  'error AmountExceedsDeposit()',
  'error InvalidSignature()',
  'error NonceMismatch()',
  'error CloseNotReady()',
  'error ZeroDeposit()',
  'error DepositOverflow()',
  'error GracePeriodTooShort()',
  'error ZeroPayer()',
  'error TransferFailed()',
])

/** The grace period floor the spec sets; a server must refuse channels on an escrow with less. */
export const minCloseGracePeriodSeconds = 600
