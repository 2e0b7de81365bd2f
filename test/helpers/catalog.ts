// A comparable description of the omni_costs schema, read from the catalogs (no pg_dump needed, so it works
// whatever the server version).
import { type CommonQueryMethods, sql } from 'slonik';

export async function schemaFingerprint(db: CommonQueryMethods): Promise<string[]> {
  const rows = await db.anyFirst(sql.unsafe`
    SELECT line FROM (
      SELECT 'rel ' || c.relname || ' ' || c.relkind::text AS line
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'omni_costs'
      UNION ALL
      SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
             || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE n.nspname = 'omni_costs' AND a.attnum > 0 AND NOT a.attisdropped
      UNION ALL
      SELECT 'con ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'omni_costs'
      UNION ALL
      SELECT 'idx ' || pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'omni_costs'
      UNION ALL
      SELECT 'fn ' || pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'omni_costs'
      UNION ALL
      SELECT 'tg ' || pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'omni_costs' AND NOT t.tgisinternal
      UNION ALL
      SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'omni_costs' AND c.relkind IN ('v', 'm')
      UNION ALL
      SELECT 'comment ' || c.relname || coalesce('.' || a.attname, '') || ' ' || d.description
        FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
       WHERE n.nspname = 'omni_costs'
      UNION ALL
      -- The privileges as a sorted list: the order of ACL entries depends on the order of the grants.
      SELECT 'grant ' || c.relname || ' '
             || coalesce((SELECT string_agg(e::text, ',' ORDER BY e::text) FROM unnest(c.relacl) e), '')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'omni_costs'
      UNION ALL
      -- Who may execute each function (NULL = the default: PUBLIC may).
      SELECT 'grant fn ' || p.oid::regprocedure::text || ' '
             || coalesce((SELECT string_agg(e::text, ',' ORDER BY e::text) FROM unnest(p.proacl) e), 'default')
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'omni_costs'
    ) x ORDER BY line`);
  return rows as string[];
}

/** Tables, views and their columns, and functions, of omni_costs that have no COMMENT. */
export async function uncommentedObjects(db: CommonQueryMethods): Promise<string[]> {
  const rows = await db.anyFirst(sql.unsafe`
    SELECT name FROM (
      SELECT c.relname AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'omni_costs' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
         AND obj_description(c.oid, 'pg_class') IS NULL
      UNION ALL
      SELECT c.relname || '.' || a.attname
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'omni_costs' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition
         AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL
         AND c.relname NOT IN ('usage_costs')
      UNION ALL
      SELECT p.proname || '()'
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'omni_costs' AND obj_description(p.oid, 'pg_proc') IS NULL
    ) x ORDER BY 1`);
  return rows as string[];
}
