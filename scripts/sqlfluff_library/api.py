"""dbt's `api` context object for sqlfluff's jinja templater (see dbt.py here): `api.Column.translate_type`."""


class Column:
    @staticmethod
    def translate_type(dtype):
        return dtype
