/** Namespace URIs of the protocols the STS speaks, by the prefix this code writes. */
export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa2004: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsa2005: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsse11: 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wst13: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  wst2005: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  wsp2004: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  wsp15: 'http://www.w3.org/ns/ws-policy',
  wsid: 'http://schemas.xmlsoap.org/ws/2005/05/identity',
  saml11: 'urn:oasis:names:tc:SAML:1.0:assertion',
  saml20: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
} as const;

/** UsernameToken profile URIs. */
export const UT = {
  passwordText:
    'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText',
  passwordDigest:
    'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest',
  base64Binary:
    'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary',
} as const;
