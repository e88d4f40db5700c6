// The /openapi/v2 document as protobuf: gnostic's `openapi.v2.Document`
// (github.com/google/gnostic, openapiv2/OpenAPIv2.proto), which kubectl 1.20 asks for with
// `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
// The messages are declared here with protobufjs reflection (only field names, numbers and
// types matter on the wire); the JSON document is reshaped into gnostic's form and encoded.
import protobuf from 'protobufjs';
import { stringify } from 'yaml';
import { openapiV2Document } from './v2.js';
import type { Json, JsonObject } from './swagger.js';

// Message declarations: `name=number[:type][*]`; type defaults to string, `*` means repeated,
// a leading `|` puts the field in the message's `oneof`. Types are proto scalar names or messages.
const PRIMITIVE_KEYWORDS =
  'type=1 format=2 items=3:PrimitivesItems collection_format=4 default=5:Any maximum=6:double exclusive_maximum=7:bool minimum=8:double exclusive_minimum=9:bool max_length=10:int64 min_length=11:int64 pattern=12 max_items=13:int64 min_items=14:int64 unique_items=15:bool enum=16:Any* multiple_of=17:double';
/** the sub-schema of a non-body parameter; query and formData have allow_empty_value at 5, shifting the rest */
function parameterSubSchema(allowEmpty: boolean): string {
  const head = 'required=1:bool in=2 description=3 name=4';
  const start = allowEmpty ? 6 : 5;
  const tail = PRIMITIVE_KEYWORDS.split(' ')
    .map((f, i) => f.replace(/=\d+/, `=${start + i}`))
    .join(' ');
  const ext = `vendor_extension=${start + 17}:NamedAny*`;
  return `${head} ${allowEmpty ? 'allow_empty_value=5:bool ' : ''}${tail} ${ext}`;
}

const MESSAGES: Record<string, string> = {
  AdditionalPropertiesItem: '|schema=1:Schema |boolean=2:bool',
  Any: 'yaml=2',
  ApiKeySecurity: 'type=1 name=2 in=3 description=4 vendor_extension=5:NamedAny*',
  BasicAuthenticationSecurity: 'type=1 description=2 vendor_extension=3:NamedAny*',
  BodyParameter: 'description=1 name=2 in=3 required=4:bool schema=5:Schema vendor_extension=6:NamedAny*',
  Contact: 'name=1 url=2 email=3 vendor_extension=4:NamedAny*',
  Definitions: 'additional_properties=1:NamedSchema*',
  Document:
    'swagger=1 info=2:Info host=3 base_path=4 schemes=5* consumes=6* produces=7* paths=8:Paths definitions=9:Definitions parameters=10:ParameterDefinitions responses=11:ResponseDefinitions security=12:SecurityRequirement* security_definitions=13:SecurityDefinitions tags=14:Tag* external_docs=15:ExternalDocs vendor_extension=16:NamedAny*',
  Examples: 'additional_properties=1:NamedAny*',
  ExternalDocs: 'description=1 url=2 vendor_extension=3:NamedAny*',
  FormDataParameterSubSchema: parameterSubSchema(true),
  Header: `${PRIMITIVE_KEYWORDS} description=18 vendor_extension=19:NamedAny*`,
  HeaderParameterSubSchema: parameterSubSchema(false),
  Headers: 'additional_properties=1:NamedHeader*',
  Info: 'title=1 version=2 description=3 terms_of_service=4 contact=5:Contact license=6:License vendor_extension=7:NamedAny*',
  ItemsItem: 'schema=1:Schema*',
  JsonReference: '_ref=1 description=2',
  License: 'name=1 url=2 vendor_extension=3:NamedAny*',
  NamedAny: 'name=1 value=2:Any',
  NamedHeader: 'name=1 value=2:Header',
  NamedParameter: 'name=1 value=2:Parameter',
  NamedPathItem: 'name=1 value=2:PathItem',
  NamedResponse: 'name=1 value=2:Response',
  NamedResponseValue: 'name=1 value=2:ResponseValue',
  NamedSchema: 'name=1 value=2:Schema',
  NamedSecurityDefinitionsItem: 'name=1 value=2:SecurityDefinitionsItem',
  NamedString: 'name=1 value=2',
  NamedStringArray: 'name=1 value=2:StringArray',
  NonBodyParameter:
    '|header_parameter_sub_schema=1:HeaderParameterSubSchema |form_data_parameter_sub_schema=2:FormDataParameterSubSchema |query_parameter_sub_schema=3:QueryParameterSubSchema |path_parameter_sub_schema=4:PathParameterSubSchema',
  Oauth2Scopes: 'additional_properties=1:NamedString*',
  Operation:
    'tags=1* summary=2 description=3 external_docs=4:ExternalDocs operation_id=5 produces=6* consumes=7* parameters=8:ParametersItem* responses=9:Responses schemes=10* deprecated=11:bool security=12:SecurityRequirement* vendor_extension=13:NamedAny*',
  Parameter: '|body_parameter=1:BodyParameter |non_body_parameter=2:NonBodyParameter',
  ParameterDefinitions: 'additional_properties=1:NamedParameter*',
  ParametersItem: '|parameter=1:Parameter |json_reference=2:JsonReference',
  PathItem:
    '_ref=1 get=2:Operation put=3:Operation post=4:Operation delete=5:Operation options=6:Operation head=7:Operation patch=8:Operation parameters=9:ParametersItem* vendor_extension=10:NamedAny*',
  PathParameterSubSchema: parameterSubSchema(false),
  Paths: 'vendor_extension=1:NamedAny* path=2:NamedPathItem*',
  PrimitivesItems: `${PRIMITIVE_KEYWORDS} vendor_extension=18:NamedAny*`,
  Properties: 'additional_properties=1:NamedSchema*',
  QueryParameterSubSchema: parameterSubSchema(true),
  Response: 'description=1 schema=2:SchemaItem headers=3:Headers examples=4:Examples vendor_extension=5:NamedAny*',
  ResponseDefinitions: 'additional_properties=1:NamedResponse*',
  ResponseValue: '|response=1:Response |json_reference=2:JsonReference',
  Responses: 'response_code=1:NamedResponseValue* vendor_extension=2:NamedAny*',
  Schema:
    '_ref=1 format=2 title=3 description=4 default=5:Any multiple_of=6:double maximum=7:double exclusive_maximum=8:bool minimum=9:double exclusive_minimum=10:bool max_length=11:int64 min_length=12:int64 pattern=13 max_items=14:int64 min_items=15:int64 unique_items=16:bool max_properties=17:int64 min_properties=18:int64 required=19* enum=20:Any* additional_properties=21:AdditionalPropertiesItem type=22:TypeItem items=23:ItemsItem all_of=24:Schema* properties=25:Properties discriminator=26 read_only=27:bool xml=28:Xml external_docs=29:ExternalDocs example=30:Any vendor_extension=31:NamedAny*',
  SchemaItem: '|schema=1:Schema',
  SecurityDefinitions: 'additional_properties=1:NamedSecurityDefinitionsItem*',
  SecurityDefinitionsItem: '|basic_authentication_security=1:BasicAuthenticationSecurity |api_key_security=2:ApiKeySecurity',
  SecurityRequirement: 'additional_properties=1:NamedStringArray*',
  StringArray: 'value=1*',
  Tag: 'name=1 description=2 external_docs=3:ExternalDocs vendor_extension=4:NamedAny*',
  TypeItem: 'value=1*',
  Xml: 'name=1 namespace=2 prefix=3 attribute=4:bool wrapped=5:bool vendor_extension=6:NamedAny*',
};

let root: protobuf.Root | undefined;

/** the `openapi.v2` protobuf types, built once; `gnosticTypes().lookupType('openapi.v2.Document')` */
export function gnosticTypes(): protobuf.Root {
  if (root) return root;
  const ns = new protobuf.Root().define('openapi.v2');
  for (const [name, spec] of Object.entries(MESSAGES)) {
    const type = new protobuf.Type(name);
    const oneof: string[] = [];
    for (const decl of spec.split(' ')) {
      const m = /^(\|?)(\w+)=(\d+)(?::(\w+))?(\*?)$/.exec(decl);
      if (!m) throw new Error(`bad field declaration ${decl} in ${name}`);
      const [, inOneof, field, id, fieldType = 'string', repeated] = m;
      type.add(new protobuf.Field(field, Number(id), fieldType, repeated ? 'repeated' : undefined));
      if (inOneof) oneof.push(field);
    }
    if (oneof.length) type.add(new protobuf.OneOf('oneof', oneof));
    ns.add(type);
  }
  root = ns.root as protobuf.Root;
  root.resolveAll();
  return root;
}

// ---- reshaping the JSON document into gnostic's message shapes ----

type Msg = { [field: string]: unknown };

function yamlAny(value: Json): Msg {
  return { yaml: stringify(value, { version: '1.1' }) };
}

function vendorExtensions(obj: JsonObject): Msg[] {
  return Object.entries(obj)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, value]) => ({ name, value: yamlAny(value) }));
}

/** copy the listed JSON keys to snake_case proto fields, with per-key conversions */
function copy(obj: JsonObject, keys: Record<string, string | [string, (v: Json) => unknown]>): Msg {
  const out: Msg = {};
  for (const [jsonKey, target] of Object.entries(keys)) {
    const v = obj[jsonKey];
    if (v === undefined) continue;
    if (typeof target === 'string') out[target] = v;
    else out[target[0]] = target[1](v);
  }
  const ext = vendorExtensions(obj);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

const anyList = (v: Json) => (v as Json[]).map(yamlAny);

const PRIMITIVE_KEYS: Record<string, string | [string, (v: Json) => unknown]> = {
  type: 'type',
  format: 'format',
  items: ['items', (v) => primitivesItems(v as JsonObject)],
  collectionFormat: 'collection_format',
  default: ['default', yamlAny],
  maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum',
  minimum: 'minimum',
  exclusiveMinimum: 'exclusive_minimum',
  maxLength: 'max_length',
  minLength: 'min_length',
  pattern: 'pattern',
  maxItems: 'max_items',
  minItems: 'min_items',
  uniqueItems: 'unique_items',
  enum: ['enum', anyList],
  multipleOf: 'multiple_of',
};

function primitivesItems(obj: JsonObject): Msg {
  return copy(obj, PRIMITIVE_KEYS);
}

function namedSchemas(props: Json): Msg {
  return {
    additional_properties: Object.entries(props as JsonObject).map(([name, s]) => ({ name, value: schema(s as JsonObject) })),
  };
}

export function schema(obj: JsonObject): Msg {
  return copy(obj, {
    $ref: '_ref',
    format: 'format',
    title: 'title',
    description: 'description',
    default: ['default', yamlAny],
    multipleOf: 'multiple_of',
    maximum: 'maximum',
    exclusiveMaximum: 'exclusive_maximum',
    minimum: 'minimum',
    exclusiveMinimum: 'exclusive_minimum',
    maxLength: 'max_length',
    minLength: 'min_length',
    pattern: 'pattern',
    maxItems: 'max_items',
    minItems: 'min_items',
    uniqueItems: 'unique_items',
    maxProperties: 'max_properties',
    minProperties: 'min_properties',
    required: 'required',
    enum: ['enum', anyList],
    additionalProperties: [
      'additional_properties',
      (v) => (typeof v === 'boolean' ? { boolean: v } : { schema: schema(v as JsonObject) }),
    ],
    type: ['type', (v) => ({ value: Array.isArray(v) ? v : [v] })],
    items: ['items', (v) => ({ schema: (Array.isArray(v) ? v : [v]).map((s) => schema(s as JsonObject)) })],
    allOf: ['all_of', (v) => (v as JsonObject[]).map(schema)],
    properties: ['properties', namedSchemas],
    discriminator: 'discriminator',
    readOnly: 'read_only',
    externalDocs: ['external_docs', (v) => externalDocs(v as JsonObject)],
    example: ['example', yamlAny],
  });
}

function externalDocs(obj: JsonObject): Msg {
  return copy(obj, { description: 'description', url: 'url' });
}

const SUB_SCHEMA_FIELD: Record<string, string> = {
  header: 'header_parameter_sub_schema',
  formData: 'form_data_parameter_sub_schema',
  query: 'query_parameter_sub_schema',
  path: 'path_parameter_sub_schema',
};

function parameter(obj: JsonObject): Msg {
  if (obj.in === 'body') {
    return {
      body_parameter: copy(obj, {
        description: 'description',
        name: 'name',
        in: 'in',
        required: 'required',
        schema: ['schema', (v) => schema(v as JsonObject)],
      }),
    };
  }
  const where = SUB_SCHEMA_FIELD[String(obj.in)];
  if (!where) throw new Error(`parameter ${String(obj.name)}: unknown location ${String(obj.in)}`);
  const keys: Record<string, string | [string, (v: Json) => unknown]> = {
    required: 'required',
    in: 'in',
    description: 'description',
    name: 'name',
    ...PRIMITIVE_KEYS,
  };
  if (obj.in === 'query' || obj.in === 'formData') keys.allowEmptyValue = 'allow_empty_value';
  return { non_body_parameter: { [where]: copy(obj, keys) } };
}

function parametersItem(obj: JsonObject): Msg {
  if (typeof obj.$ref === 'string') return { json_reference: { _ref: obj.$ref } };
  return { parameter: parameter(obj) };
}

function response(obj: JsonObject): Msg {
  return copy(obj, {
    description: 'description',
    schema: ['schema', (v) => ({ schema: schema(v as JsonObject) })],
  });
}

function responses(obj: JsonObject): Msg {
  const codes = Object.entries(obj)
    .filter(([k]) => !k.startsWith('x-'))
    .map(([name, r]) => {
      const ro = r as JsonObject;
      return { name, value: typeof ro.$ref === 'string' ? { json_reference: { _ref: ro.$ref } } : { response: response(ro) } };
    });
  return { response_code: codes, vendor_extension: vendorExtensions(obj) };
}

function security(v: Json): Msg[] {
  return (v as JsonObject[]).map((req) => ({
    additional_properties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: scopes } })),
  }));
}

function operation(obj: JsonObject): Msg {
  return copy(obj, {
    tags: 'tags',
    summary: 'summary',
    description: 'description',
    externalDocs: ['external_docs', (v) => externalDocs(v as JsonObject)],
    operationId: 'operation_id',
    produces: 'produces',
    consumes: 'consumes',
    parameters: ['parameters', (v) => (v as JsonObject[]).map(parametersItem)],
    responses: ['responses', (v) => responses(v as JsonObject)],
    schemes: 'schemes',
    deprecated: 'deprecated',
    security: ['security', security],
  });
}

function pathItem(obj: JsonObject): Msg {
  const keys: Record<string, string | [string, (v: Json) => unknown]> = {
    $ref: '_ref',
    parameters: ['parameters', (v) => (v as JsonObject[]).map(parametersItem)],
  };
  for (const verb of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']) {
    keys[verb] = [verb, (v) => operation(v as JsonObject)];
  }
  return copy(obj, keys);
}

function securityDefinition(obj: JsonObject): Msg {
  if (obj.type === 'basic') return { basic_authentication_security: copy(obj, { type: 'type', description: 'description' }) };
  if (obj.type === 'apiKey') {
    return { api_key_security: copy(obj, { type: 'type', name: 'name', in: 'in', description: 'description' }) };
  }
  throw new Error(`security definition type ${String(obj.type)} is not supported`);
}

/** a Swagger 2.0 JSON document in gnostic's `openapi.v2.Document` shape (plain object for protobufjs) */
export function toGnostic(doc: JsonObject): Msg {
  const named = <T>(v: Json, f: (o: JsonObject) => T) =>
    Object.entries(v as JsonObject).map(([name, o]) => ({ name, value: f(o as JsonObject) }));
  return copy(doc, {
    swagger: 'swagger',
    info: [
      'info',
      (v) => copy(v as JsonObject, { title: 'title', version: 'version', description: 'description', termsOfService: 'terms_of_service' }),
    ],
    host: 'host',
    basePath: 'base_path',
    schemes: 'schemes',
    consumes: 'consumes',
    produces: 'produces',
    paths: ['paths', (v) => ({ path: named(v, pathItem), vendor_extension: vendorExtensions(v as JsonObject) })],
    definitions: ['definitions', (v) => namedSchemas(v)],
    parameters: ['parameters', (v) => ({ additional_properties: named(v, parameter) })],
    responses: ['responses', (v) => ({ additional_properties: named(v, response) })],
    security: ['security', security],
    securityDefinitions: ['security_definitions', (v) => ({ additional_properties: named(v, securityDefinition) })],
    tags: ['tags', (v) => (v as JsonObject[]).map((t) => copy(t, { name: 'name', description: 'description' }))],
    externalDocs: ['external_docs', (v) => externalDocs(v as JsonObject)],
  });
}

/** encode any Swagger 2.0 JSON document as a gnostic `openapi.v2.Document` */
export function encodeGnostic(doc: JsonObject): Buffer {
  const Document = gnosticTypes().lookupType('openapi.v2.Document');
  const msg = Document.fromObject(toGnostic(doc));
  return Buffer.from(Document.encode(msg).finish());
}

let encoded: Buffer | undefined;

/** the /openapi/v2 body for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, computed once */
export function openapiV2Protobuf(): Buffer {
  encoded ??= encodeGnostic(openapiV2Document());
  return encoded;
}

/** the protobuf content type upstream answers with (kubectl's mime parser rejects the `@` form) */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

