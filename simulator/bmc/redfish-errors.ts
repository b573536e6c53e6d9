// Redfish error responses in the DMTF format: a general error carrying the specific Base registry
// message in @Message.ExtendedInfo (DMTF Redfish spec "Error responses",
// registries/Base.1.22.1.json; docs/nova-and-bmc-facts.md#status-codes-and-tasks).
import type { RedfishResponse } from './redfish-http.ts';

const BASE_REGISTRY = 'Base.1.22';

interface BaseMessage {
  status: number;
  message: (args: readonly string[]) => string;
  severity: 'OK' | 'Warning' | 'Critical';
  resolution: string;
}

const BASE_MESSAGES = {
  ActionParameterValueNotInList: {
    status: 400,
    message: ([value, parameter, action]) =>
      `The value '${value ?? ''}' for the parameter ${parameter ?? ''} in the action ${action ?? ''} is not in the list of acceptable values.`,
    severity: 'Warning',
    resolution:
      'Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.',
  },
  ActionParameterMissing: {
    status: 400,
    message: ([action, parameter]) =>
      `The action ${action ?? ''} requires the parameter ${parameter ?? ''} to be present in the request body.`,
    severity: 'Critical',
    resolution:
      'Supply the action with the required parameter in the request body when the request is resubmitted.',
  },
  PropertyMissing: {
    status: 400,
    message: ([property]) =>
      `The property ${property ?? ''} is a required property and must be included in the request.`,
    severity: 'Warning',
    resolution:
      'Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.',
  },
  MalformedJSON: {
    status: 400,
    message: () =>
      'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
    severity: 'Critical',
    resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
  },
  NoValidSession: {
    status: 401,
    message: () => 'There is no valid session established with the implementation.',
    severity: 'Critical',
    resolution: 'Establish a session before attempting any operations.',
  },
  ResourceMissingAtURI: {
    status: 404,
    message: ([uri]) => `The resource at the URI '${uri ?? ''}' was not found.`,
    severity: 'Critical',
    resolution: 'Place a valid resource at the URI or correct the URI and resubmit the request.',
  },
  OperationNotAllowed: {
    status: 405,
    message: () => 'The HTTP method is not allowed on the specified resource.',
    severity: 'Critical',
    resolution: 'None.',
  },
  InternalError: {
    status: 500,
    message: () =>
      'The request failed due to an internal service error.  The service is still operational.',
    severity: 'Critical',
    resolution: 'Resubmit the request.  If the problem persists, consider resetting the service.',
  },
  ResourceInUse: {
    status: 409,
    message: () =>
      'The change to the requested resource failed because the resource is in use or in transition.',
    severity: 'Warning',
    resolution: 'Remove the condition and resubmit the request if the operation failed.',
  },
} satisfies Record<string, BaseMessage>;

export type BaseMessageId = keyof typeof BASE_MESSAGES;

export function redfishError(
  id: BaseMessageId,
  args: readonly string[] = [],
  headers: Readonly<Record<string, string>> = {},
): RedfishResponse {
  const entry: BaseMessage = BASE_MESSAGES[id];
  return {
    status: entry.status,
    headers,
    body: {
      error: {
        code: `${BASE_REGISTRY}.GeneralError`,
        message: 'A general error has occurred. See ExtendedInfo for more information.',
        '@Message.ExtendedInfo': [
          {
            '@odata.type': '#Message.v1_1_1.Message',
            MessageId: `${BASE_REGISTRY}.${id}`,
            Message: entry.message(args),
            MessageArgs: args,
            Severity: entry.severity,
            Resolution: entry.resolution,
          },
        ],
      },
    },
  };
}
