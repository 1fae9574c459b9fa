// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// ERC-1271: how a contract wallet says "this signature is mine".
interface IERC1271Signer {
    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4 magicValue);
}

/// The USDC v2.2 `bytes signature` overload of EIP-3009 `receiveWithAuthorization` (it enforces msg.sender == to).
interface IEIP3009Receiver {
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external;
}

/// @title SessionEscrow
/// @notice Unidirectional payment channels for the MPP `evm`/`session` intent (mpp-specs
///         draft-evm-session-00): a payer escrows an ERC-20 deposit per channel, signs cumulative
///         EIP-712 vouchers off chain, and the payee redeems the best one with `settle` or `close`.
///         The payer can always recover what no voucher covers: `requestClose`, wait the grace
///         period, `withdraw`. Implements the mandatory core and the EIP-3009 part of the relayed
///         profile (`openWithAuthorization`, `topUpWithAuthorization`); no Permit2, no payee-relayed calls.
///         Use only with well-behaved tokens (no fee-on-transfer, no rebasing), as the spec requires.
contract SessionEscrow {
    /// One channel; records are never deleted and `finalized` is never cleared, so a channelId can never be reopened.
    struct Channel {
        address payer;
        address payee;
        address token;
        /// Delegated voucher signer; address(0) means the payer signs.
        address authorizedSigner;
        uint128 deposit;
        /// Cumulative amount already paid to the payee.
        uint128 settled;
        /// When the payer asked for a forced close (0: no pending request).
        uint64 closeRequestedAt;
        bool finalized;
    }

    string public constant DOMAIN_NAME = "EVM Payment Channel";
    string public constant DOMAIN_VERSION = "1";
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint128 cumulativeAmount)");
    bytes32 private constant EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// The spec forbids grace periods under 10 minutes: the payee needs time to settle before a withdraw.
    uint64 public constant MIN_CLOSE_GRACE_PERIOD = 10 minutes;
    /// Seconds between `requestClose` and the earliest `withdraw` (the spec's reference value is 15 minutes).
    uint64 public immutable CLOSE_GRACE_PERIOD;

    bytes4 private constant ERC1271_MAGIC_VALUE = 0x1626ba7e;
    // Upper bound for `s` in canonical (non-malleable) secp256k1 signatures.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    mapping(bytes32 => Channel) private _channels;

    event ChannelOpened(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        address authorizedSigner,
        bytes32 salt,
        uint128 deposit
    );
    event TopUp(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address funder,
        uint128 additionalDeposit,
        uint128 newDeposit
    );
    event Settled(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        uint128 cumulativeAmount,
        uint128 deltaPaid
    );
    event CloseRequested(bytes32 indexed channelId, address indexed payer, address indexed payee, uint256 closeGraceEnd);
    event CloseRequestCancelled(bytes32 indexed channelId, address indexed payer, address indexed payee);
    event ChannelClosed(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        uint128 settledToPayee,
        uint128 refundedToPayer
    );
    event ChannelWithdrawn(bytes32 indexed channelId, address indexed payer, address indexed payee, uint128 refundedToPayer);

    // The spec's suggested error vocabulary (Contract Errors), with no arguments so selectors match other escrows.
    error ChannelAlreadyExists();
    error ChannelNotFound();
    error ChannelFinalized();
    error NotPayee();
    error NotPayer();
    error AmountNotIncreasing();
    error AmountExceedsDeposit();
    error InvalidSignature();
    error NonceMismatch();
    error CloseNotReady();
    error ZeroDeposit();
    error DepositOverflow();
    // Ours: a grace period under the spec's minimum, a relayed open for the zero address, a failed ERC-20 call.
    error GracePeriodTooShort();
    error ZeroPayer();
    error TransferFailed();

    constructor(uint64 closeGracePeriod) {
        if (closeGracePeriod < MIN_CLOSE_GRACE_PERIOD) revert GracePeriodTooShort();
        CLOSE_GRACE_PERIOD = closeGracePeriod;
    }

    // ---------------------------------------------------------------- views

    function getChannel(bytes32 channelId) external view returns (Channel memory) {
        return _channels[channelId];
    }

    /// keccak256(abi.encode(payer, payee, token, salt, authorizedSigner, address(this), block.chainid)).
    function computeChannelId(address payer, address payee, address token, bytes32 salt, address authorizedSigner)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(payer, payee, token, salt, authorizedSigner, address(this), block.chainid));
    }

    function domainSeparator() public view returns (bytes32) {
        // Computed per call so the separator follows the chain id (forks, anvil --chain-id).
        return keccak256(
            abi.encode(
                EIP712_DOMAIN_TYPEHASH,
                keccak256(bytes(DOMAIN_NAME)),
                keccak256(bytes(DOMAIN_VERSION)),
                block.chainid,
                address(this)
            )
        );
    }

    /// The EIP-712 digest a voucher signer signs.
    function hashVoucher(bytes32 channelId, uint128 cumulativeAmount) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    // ---------------------------------------------------------------- open

    /// Opens a channel funded by the caller (requires a prior `approve(escrow, deposit)`).
    function open(address payee, address token, uint128 deposit, bytes32 salt, address authorizedSigner)
        external
        returns (bytes32 channelId)
    {
        channelId = _create(msg.sender, payee, token, deposit, salt, authorizedSigner);
        _pullFrom(token, msg.sender, deposit);
    }

    /// Opens a channel funded by `from`'s EIP-3009 authorization; anyone (typically the server) may submit it.
    function openWithAuthorization(
        address payee,
        address token,
        uint128 deposit,
        bytes32 salt,
        address authorizedSigner,
        address from,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external returns (bytes32 channelId) {
        // The nonce binds the channel parameters the EIP-3009 signature itself does not cover.
        if (nonce != keccak256(abi.encode(from, payee, token, salt, authorizedSigner))) revert NonceMismatch();
        if (from == address(0)) revert ZeroPayer();
        channelId = _create(from, payee, token, deposit, salt, authorizedSigner);
        IEIP3009Receiver(token).receiveWithAuthorization(from, address(this), deposit, validAfter, validBefore, nonce, signature);
    }

    // ---------------------------------------------------------------- top up

    /// Adds the caller's funds (requires a prior approve) and cancels a pending forced close.
    function topUp(bytes32 channelId, uint128 additionalDeposit) external {
        Channel storage channel = _live(channelId);
        if (msg.sender != channel.payer) revert NotPayer();
        _credit(channelId, channel, additionalDeposit, msg.sender);
        _pullFrom(channel.token, msg.sender, additionalDeposit);
    }

    /// Adds funds under `from`'s EIP-3009 authorization; anyone may submit it and anyone may fund.
    function topUpWithAuthorization(
        bytes32 channelId,
        uint128 additionalDeposit,
        address from,
        bytes32 topUpSalt,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        if (nonce != keccak256(abi.encode(channelId, additionalDeposit, from, topUpSalt))) revert NonceMismatch();
        Channel storage channel = _live(channelId);
        _credit(channelId, channel, additionalDeposit, from);
        IEIP3009Receiver(channel.token).receiveWithAuthorization(
            from, address(this), additionalDeposit, validAfter, validBefore, nonce, signature
        );
    }

    // ---------------------------------------------------------------- payee

    /// Pays the payee up to a voucher's cumulative amount and keeps the channel open.
    function settle(bytes32 channelId, uint128 cumulativeAmount, bytes calldata signature) external {
        Channel storage channel = _live(channelId);
        if (msg.sender != channel.payee) revert NotPayee();
        if (cumulativeAmount <= channel.settled) revert AmountNotIncreasing();
        if (cumulativeAmount > channel.deposit) revert AmountExceedsDeposit();
        _requireVoucherSignature(channelId, channel, cumulativeAmount, signature);
        uint128 delta = cumulativeAmount - channel.settled;
        channel.settled = cumulativeAmount;
        emit Settled(channelId, channel.payer, channel.payee, cumulativeAmount, delta);
        _pay(channel.token, channel.payee, delta);
    }

    /// Settles the final voucher, refunds the rest to the payer and finalizes the channel.
    /// A `cumulativeAmount` at or below `settled` forfeits nothing new and needs no signature.
    function close(bytes32 channelId, uint128 cumulativeAmount, bytes calldata signature) external {
        Channel storage channel = _live(channelId);
        if (msg.sender != channel.payee) revert NotPayee();
        uint128 delta;
        if (cumulativeAmount > channel.settled) {
            if (cumulativeAmount > channel.deposit) revert AmountExceedsDeposit();
            _requireVoucherSignature(channelId, channel, cumulativeAmount, signature);
            delta = cumulativeAmount - channel.settled;
            channel.settled = cumulativeAmount;
        }
        channel.finalized = true;
        uint128 refund = channel.deposit - channel.settled;
        emit ChannelClosed(channelId, channel.payer, channel.payee, delta, refund);
        if (delta > 0) _pay(channel.token, channel.payee, delta);
        if (refund > 0) _pay(channel.token, channel.payer, refund);
    }

    // ---------------------------------------------------------------- payer

    /// Starts the grace period of a forced close. Asking again keeps the first request's time.
    function requestClose(bytes32 channelId) external {
        Channel storage channel = _live(channelId);
        if (msg.sender != channel.payer) revert NotPayer();
        if (channel.closeRequestedAt != 0) return;
        channel.closeRequestedAt = uint64(block.timestamp);
        emit CloseRequested(channelId, channel.payer, channel.payee, block.timestamp + CLOSE_GRACE_PERIOD);
    }

    /// After the grace period, returns what no settled voucher covers (deposit - settled) and finalizes.
    function withdraw(bytes32 channelId) external {
        Channel storage channel = _live(channelId);
        if (msg.sender != channel.payer) revert NotPayer();
        // Without the zero check, `block.timestamp >= 0 + grace` would let a payer skip requestClose.
        if (channel.closeRequestedAt == 0 || block.timestamp < uint256(channel.closeRequestedAt) + CLOSE_GRACE_PERIOD) {
            revert CloseNotReady();
        }
        channel.finalized = true;
        uint128 refund = channel.deposit - channel.settled;
        emit ChannelWithdrawn(channelId, channel.payer, channel.payee, refund);
        if (refund > 0) _pay(channel.token, channel.payer, refund);
    }

    // ---------------------------------------------------------------- internals

    function _create(address payer, address payee, address token, uint128 deposit, bytes32 salt, address authorizedSigner)
        private
        returns (bytes32 channelId)
    {
        if (deposit == 0) revert ZeroDeposit();
        channelId = computeChannelId(payer, payee, token, salt, authorizedSigner);
        Channel storage channel = _channels[channelId];
        // A finalized record still has its payer, so this also refuses to reopen a closed channel.
        if (channel.payer != address(0)) revert ChannelAlreadyExists();
        channel.payer = payer;
        channel.payee = payee;
        channel.token = token;
        channel.authorizedSigner = authorizedSigner;
        channel.deposit = deposit;
        emit ChannelOpened(channelId, payer, payee, token, authorizedSigner, salt, deposit);
    }

    /// The channel, which must exist and not be finalized.
    function _live(bytes32 channelId) private view returns (Channel storage channel) {
        channel = _channels[channelId];
        if (channel.payer == address(0)) revert ChannelNotFound();
        if (channel.finalized) revert ChannelFinalized();
    }

    function _credit(bytes32 channelId, Channel storage channel, uint128 additionalDeposit, address funder) private {
        if (additionalDeposit == 0) revert ZeroDeposit();
        uint256 newDeposit = uint256(channel.deposit) + additionalDeposit;
        if (newDeposit > type(uint128).max) revert DepositOverflow();
        channel.deposit = uint128(newDeposit);
        // Only the payer's own top-up cancels a forced close: otherwise the payee could fund 1 unit each
        // grace period and keep the payer's deposit locked forever.
        if (channel.closeRequestedAt != 0 && funder == channel.payer) {
            channel.closeRequestedAt = 0;
            emit CloseRequestCancelled(channelId, channel.payer, channel.payee);
        }
        emit TopUp(channelId, channel.payer, channel.payee, funder, additionalDeposit, uint128(newDeposit));
    }

    function _requireVoucherSignature(
        bytes32 channelId,
        Channel storage channel,
        uint128 cumulativeAmount,
        bytes calldata signature
    ) private view {
        address signer = channel.authorizedSigner == address(0) ? channel.payer : channel.authorizedSigner;
        if (!_isValidSignature(signer, hashVoucher(channelId, cumulativeAmount), signature)) revert InvalidSignature();
    }

    /// EOAs sign 65-byte low-s ECDSA; accounts with code answer through ERC-1271.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        // A high-s 65-byte signature is refused whoever the signer is: its low-s twin is the only accepted form.
        if (signature.length == 65 && uint256(bytes32(signature[32:64])) > HALF_CURVE_ORDER) return false;
        if (signer.code.length == 0) {
            if (signature.length != 65) return false;
            uint8 v = uint8(signature[64]);
            if (v != 27 && v != 28) return false;
            address recovered = ecrecover(digest, v, bytes32(signature[0:32]), bytes32(signature[32:64]));
            return recovered != address(0) && recovered == signer;
        }
        (bool ok, bytes memory result) =
            signer.staticcall(abi.encodeWithSelector(IERC1271Signer.isValidSignature.selector, digest, signature));
        return ok && result.length >= 32 && abi.decode(result, (bytes32)) == bytes32(ERC1271_MAGIC_VALUE);
    }

    function _pullFrom(address token, address from, uint256 amount) private {
        _callToken(token, abi.encodeWithSelector(0x23b872dd, from, address(this), amount)); // transferFrom
    }

    function _pay(address token, address to, uint256 amount) private {
        _callToken(token, abi.encodeWithSelector(0xa9059cbb, to, amount)); // transfer
    }

    /// Accepts tokens that return true or nothing; a call to an address without code is a failure, not a no-op.
    function _callToken(address token, bytes memory data) private {
        (bool ok, bytes memory result) = token.call(data);
        bool succeeded = ok && (result.length == 0 ? token.code.length > 0 : result.length >= 32 && abi.decode(result, (bool)));
        if (!succeeded) revert TransferFailed();
    }
}
