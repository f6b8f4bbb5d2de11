import { Select } from 'antd';
import type { Role } from '../../api/types.ts';
import { useT } from '../../i18n/i18n-context.tsx';

const roles: readonly Role[] = ['viewer', 'operator', 'admin'];

export function RoleSelect(props: { value?: Role; onChange?: (role: Role) => void; id?: string }) {
  const t = useT();
  return (
    <Select<Role>
      id={props.id}
      // In a table row no label points at it.
      aria-label={props.id ? undefined : t('users.role')}
      value={props.value}
      onChange={props.onChange}
      options={roles.map((role) => ({ value: role, label: t(`app.role.${role}`) }))}
    />
  );
}
