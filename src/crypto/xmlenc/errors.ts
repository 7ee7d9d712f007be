/** Error for invalid input to {@link encryptElement} or a failure while encrypting. */
export class XmlEncryptionError extends Error {
  override readonly name = 'XmlEncryptionError';
}

/**
 * Error for malformed or unsupported `xenc:EncryptedData`, or a failed decryption in
 * {@link decryptElement}. All failures to unwrap the content key share one message, and all
 * failures to decrypt the content share another, so a message does not tell which check failed.
 */
export class XmlDecryptionError extends Error {
  override readonly name = 'XmlDecryptionError';
}
