// One name per role wherever people read it (the console, the notices, the public pages), and that
// name is the word the personnel registry's 角色 column takes for the role: what a bureau types
// in its registry is what it reads back.
import { describe, expect, it } from 'vitest';
import { roleLabel as consoleRoleLabel } from '../console/views/layout';
import { WITNESS_ROLE_LABELS } from '../files/publication/rows';
import { ROLE_VALUES } from '../files/registry/templates';
import { ROLE_LABELS, roles } from '../domain/registry';
import { roleName } from '../mail/notices';

describe('role names', () => {
  it('are the registry template’s words, the same in console, mail and public pages', () => {
    for (const r of roles) {
      const label = ROLE_LABELS[r];
      expect(ROLE_VALUES[label], `${r} is read as ${label}, which the registry must accept as ${r}`).toBe(r);
      expect(consoleRoleLabel(r)).toBe(label);
      expect(roleName(r)).toBe(label);
    }
    expect(WITNESS_ROLE_LABELS).toEqual({ admin: '系统管理员', discipline: '纪检人员' });
    expect(roles.map((r) => ROLE_LABELS[r])).toEqual(['执法人员', '分管领导', '大队长', '支队长', '系统管理员', '纪检人员', '上级联系人']);
    // A code not known is shown as written, never dropped.
    expect(consoleRoleLabel('auditor')).toBe('auditor');
    expect(roleName('auditor')).toBe('auditor');
  });
});
