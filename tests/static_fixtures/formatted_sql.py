from sqlalchemy import text


def find(session, conn, name: str, table: str):
    session.execute(text(f"SELECT * FROM users WHERE email = '{name}'"))
    session.execute(text("SELECT * FROM users WHERE email = '%s'" % name))
    session.execute(text("SELECT * FROM {} WHERE id = 1".format(table)))
    session.execute(text("SELECT * FROM users WHERE email = " + name))
    conn.execute(f"DELETE FROM {table}")
    conn.exec_driver_sql("DELETE FROM %s" % table)
