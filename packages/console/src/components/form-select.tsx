// A Select for a required field of a Form. antd's Form.Item marks a required field's control
// `aria-required`, and Select puts it on its outer <div>, where ARIA does not allow it (axe-core:
// aria-allowed-attr, critical); the combobox inside cannot take it from outside. It is left out:
// the label's mark says the field is required, and a missing value is reported beside it.
import { Select, type SelectProps } from 'antd';

export function FormSelect<V>(props: SelectProps<V>) {
  const { 'aria-required': _required, ...rest } = props as SelectProps<V> & { 'aria-required'?: unknown };
  return <Select<V> {...rest} />;
}
