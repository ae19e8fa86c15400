// Triggers that make a table append-only, in each dialect: the registries' history and the audit
// log are never rewritten, whatever a program or an operator at the SQL prompt tries. PostgreSQL's
// triggers call ssj_refuse_change(), which migration 1 creates.
import type { Dialect } from '../sql';

/** Append-only triggers for table `t`, in each dialect. */
export function appendOnly(t: string): Record<Dialect, string> {
  return {
    sqlite: `
      CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t}
        BEGIN SELECT RAISE(ABORT, '${t} is append-only: UPDATE refused'); END;
      CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
        BEGIN SELECT RAISE(ABORT, '${t} is append-only: DELETE refused'); END;`,
    // EXECUTE PROCEDURE (not FUNCTION): still accepted by PostgreSQL 15 and understood by openGauss.
    postgres: `
      CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t}
        FOR EACH ROW EXECUTE PROCEDURE ssj_refuse_change();
      CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
        FOR EACH ROW EXECUTE PROCEDURE ssj_refuse_change();
      CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t}
        FOR EACH STATEMENT EXECUTE PROCEDURE ssj_refuse_change();`,
  };
}
