import { escapeAttribute } from '../xml/index.js';

const WST = 'http://docs.oasis-open.org/ws-sx/ws-trust/200512';

/**
 * WS-Trust 1.3 WSDL of the STS with SOAP 1.1 and SOAP 1.2 bindings. The message elements are
 * declared with open content (xs:any), so generic clients such as zeep can send any RST. The
 * ports are WSO2's port URLs for the scheme of `baseUrl` (HttpsSoap11Endpoint on HTTPS,
 * HttpSoap11Endpoint on plain HTTP).
 */
export function writeWsdl(baseUrl: string): string {
  const scheme = baseUrl.startsWith('https:') ? 'Https' : 'Http';
  const soap11Port = `wso2carbon-sts${scheme}Soap11Endpoint`;
  const soap12Port = `wso2carbon-sts${scheme}Soap12Endpoint`;
  const soap11Address = escapeAttribute(`${baseUrl}/services/wso2carbon-sts.${soap11Port}`);
  const soap12Address = escapeAttribute(`${baseUrl}/services/wso2carbon-sts.${soap12Port}`);
  const openContent =
    '<xs:complexType><xs:sequence><xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>' +
    '</xs:sequence><xs:anyAttribute namespace="##any" processContents="lax"/></xs:complexType>';
  const operation = (prefix: string) => `
    <wsdl:operation name="Issue">
      <${prefix}:operation soapAction="${WST}/RST/Issue" style="document"/>
      <wsdl:input><${prefix}:body use="literal"/></wsdl:input>
      <wsdl:output><${prefix}:body use="literal"/></wsdl:output>
    </wsdl:operation>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="wso2carbon-sts" targetNamespace="${WST}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:wst="${WST}">
  <wsdl:types>
    <xs:schema targetNamespace="${WST}" elementFormDefault="qualified">
      <xs:element name="RequestSecurityToken">${openContent}</xs:element>
      <xs:element name="RequestSecurityTokenResponse">${openContent}</xs:element>
      <xs:element name="RequestSecurityTokenResponseCollection">${openContent}</xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="RequestSecurityTokenMsg">
    <wsdl:part name="request" element="wst:RequestSecurityToken"/>
  </wsdl:message>
  <wsdl:message name="RequestSecurityTokenResponseCollectionMsg">
    <wsdl:part name="responseCollection" element="wst:RequestSecurityTokenResponseCollection"/>
  </wsdl:message>
  <wsdl:portType name="SecurityTokenService">
    <wsdl:operation name="Issue">
      <wsdl:input message="wst:RequestSecurityTokenMsg" wsaw:Action="${WST}/RST/Issue"/>
      <wsdl:output message="wst:RequestSecurityTokenResponseCollectionMsg" wsaw:Action="${WST}/RSTRC/IssueFinal"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="wso2carbon-stsSoap11Binding" type="wst:SecurityTokenService">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>${operation('soap')}
  </wsdl:binding>
  <wsdl:binding name="wso2carbon-stsSoap12Binding" type="wst:SecurityTokenService">
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>${operation('soap12')}
  </wsdl:binding>
  <wsdl:service name="wso2carbon-sts">
    <wsdl:port name="${soap11Port}" binding="wst:wso2carbon-stsSoap11Binding">
      <soap:address location="${soap11Address}"/>
    </wsdl:port>
    <wsdl:port name="${soap12Port}" binding="wst:wso2carbon-stsSoap12Binding">
      <soap12:address location="${soap12Address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
