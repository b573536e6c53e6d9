// Resource bodies shaped like the DMTF public-rackmount1 mockup
// (test/integration/simulator/bmc-fixtures/redfish-mockup-rackmount1/) with only the properties a
// fencing client needs.
import type { ReportedPowerState } from './bmc-power.ts';
import { RESET_TYPES } from './redfish-reset.ts';

export const SERVICE_ROOT = '/redfish/v1';
export const SYSTEMS = `${SERVICE_ROOT}/Systems`;
export const SESSION_SERVICE = `${SERVICE_ROOT}/SessionService`;
export const SESSIONS = `${SESSION_SERVICE}/Sessions`;
export const TASK_SERVICE = `${SERVICE_ROOT}/TaskService`;
export const TASKS = `${TASK_SERVICE}/Tasks`;
export const TASK_MONITORS = `${TASK_SERVICE}/TaskMonitors`;

export const link = (path: string) => ({ '@odata.id': path });

export function systemPathOf(systemId: string): string {
  return `${SYSTEMS}/${systemId}`;
}

export function resetTargetOf(systemId: string): string {
  return `${systemPathOf(systemId)}/Actions/ComputerSystem.Reset`;
}

export function resetActionInfoPathOf(systemId: string): string {
  return `${systemPathOf(systemId)}/ResetActionInfo`;
}

export function collection(type: string, name: string, path: string, members: readonly string[]) {
  return {
    '@odata.type': `#${type}.${type}`,
    Name: name,
    'Members@odata.count': members.length,
    Members: members.map(link),
    '@odata.id': path,
  };
}

/** The service root; `resources` are what the service offers besides sessions (a BMC's Systems and Tasks by default). */
export function serviceRoot(
  uuid: string,
  resources: Record<string, { '@odata.id': string }> = {
    Systems: link(SYSTEMS),
    Tasks: link(TASK_SERVICE),
  },
) {
  return {
    '@odata.type': '#ServiceRoot.v1_20_0.ServiceRoot',
    Id: 'RootService',
    Name: 'Root Service',
    RedfishVersion: '1.15.0',
    UUID: uuid,
    ...resources,
    SessionService: link(SESSION_SERVICE),
    Links: { Sessions: link(SESSIONS) },
    '@odata.id': `${SERVICE_ROOT}/`,
  };
}

export function systemsCollection(systemId: string) {
  return collection('ComputerSystemCollection', 'Computer System Collection', SYSTEMS, [
    systemPathOf(systemId),
  ]);
}

export function computerSystem(
  systemId: string,
  host: string,
  uuid: string,
  powerState: ReportedPowerState,
) {
  return {
    '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
    Id: systemId,
    Name: `Simulated compute host ${host}`,
    SystemType: 'Physical',
    Manufacturer: 'Lazarus simulator',
    Model: 'Simulated 1U',
    UUID: uuid,
    HostName: host,
    Status: { State: 'Enabled', Health: 'OK' },
    PowerState: powerState,
    Actions: {
      '#ComputerSystem.Reset': {
        target: resetTargetOf(systemId),
        'ResetType@Redfish.AllowableValues': RESET_TYPES,
        '@Redfish.ActionInfo': resetActionInfoPathOf(systemId),
      },
    },
    '@odata.id': systemPathOf(systemId),
  };
}

export function resetActionInfo(systemId: string) {
  return {
    '@odata.type': '#ActionInfo.v1_4_2.ActionInfo',
    Id: 'ResetActionInfo',
    Name: 'Reset Action Info',
    Parameters: [
      { Name: 'ResetType', Required: true, DataType: 'String', AllowableValues: RESET_TYPES },
    ],
    '@odata.id': resetActionInfoPathOf(systemId),
  };
}

export function sessionService(sessionTimeoutSeconds: number) {
  return {
    '@odata.type': '#SessionService.v1_2_0.SessionService',
    Id: 'SessionService',
    Name: 'Session Service',
    Description: 'Session Service',
    Status: { State: 'Enabled', Health: 'OK' },
    ServiceEnabled: true,
    SessionTimeout: sessionTimeoutSeconds,
    Sessions: link(SESSIONS),
    '@odata.id': SESSION_SERVICE,
  };
}

export function sessionsCollection(sessionPaths: readonly string[]) {
  return collection('SessionCollection', 'Session Collection', SESSIONS, sessionPaths);
}

export function sessionResource(id: string, userName: string, createdTime: string) {
  return {
    '@odata.type': '#Session.v1_8_0.Session',
    Id: id,
    Name: 'User Session',
    Description: 'Manager User Session',
    UserName: userName,
    CreatedTime: createdTime,
    '@odata.id': `${SESSIONS}/${id}`,
  };
}

export function taskService() {
  return {
    '@odata.type': '#TaskService.v1_2_1.TaskService',
    Id: 'TaskService',
    Name: 'Task Service',
    ServiceEnabled: true,
    Tasks: link(TASKS),
    '@odata.id': TASK_SERVICE,
  };
}

export function tasksCollection(taskPaths: readonly string[]) {
  return collection('TaskCollection', 'Task Collection', TASKS, taskPaths);
}
