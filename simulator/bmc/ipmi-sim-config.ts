// The configuration of one ipmi_sim BMC: the minimal lan.conf and bmc.emu found to work
// (docs/nova-and-bmc-facts.md#openipmi-simulator) with ipmitool lanplus -C 3, plus chassis control
// wired to the simulated world.

export interface IpmiSimConfig {
  /** ipmi_sim's BMC name; its persistent state lives in `<state dir>/<name>`. */
  name: string;
  port: number;
  /** The full `chassis_control` command; ipmi_sim appends `get power` or `set power 0|1`. */
  chassisControl: string;
  username: string;
  password: string;
}

const AUTH_TYPES = 'none md2 md5 straight';

/** ipmi_sim's quoted strings cannot escape quotes, and IPMI 2.0 passwords are at most 20 bytes. */
function quoted(value: string, what: string, maxLength = 64): string {
  if (!/^[\w .:/@+-]*$/.test(value) || value.length > maxLength) {
    throw new Error(
      `cannot put ${what} into ipmi_sim's lan.conf: use at most ${maxLength} letters, digits, spaces or . : / @ + - _`,
    );
  }
  return `"${value}"`;
}

export function lanConf(config: IpmiSimConfig): string {
  return `name ${quoted(config.name, 'the BMC name')}
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 ${config.port}
    priv_limit admin
    allowed_auths_callback ${AUTH_TYPES}
    allowed_auths_user ${AUTH_TYPES}
    allowed_auths_operator ${AUTH_TYPES}
    allowed_auths_admin ${AUTH_TYPES}
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control ${quoted(config.chassisControl, 'the chassis control command', 4096)}
  user 2 true ${quoted(config.username, 'the IPMI user name', 16)} ${quoted(config.password, 'the IPMI password', 20)} admin 10 ${AUTH_TYPES}
`;
}

export const BMC_EMU = `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
mc_enable 0x20
`;
