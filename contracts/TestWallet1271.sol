// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TestWallet1271
/// @notice The smallest useful smart-contract wallet for tests: it holds tokens and answers
///         ERC-1271 `isValidSignature` with the magic value when its owner's key signed the digest.
contract TestWallet1271 {
    bytes4 private constant ERC1271_MAGIC_VALUE = 0x1626ba7e;
    bytes4 private constant ERC1271_INVALID = 0xffffffff;

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return ERC1271_INVALID;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        address signer = ecrecover(digest, v, r, s);
        return signer != address(0) && signer == owner ? ERC1271_MAGIC_VALUE : ERC1271_INVALID;
    }

    /// @notice Lets the owner move anything the wallet holds (e.g. an ERC-20 transfer).
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "TestWallet1271: caller is not the owner");
        (bool ok, bytes memory result) = target.call(data);
        require(ok, "TestWallet1271: call failed");
        return result;
    }
}
