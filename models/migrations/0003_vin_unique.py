from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# A VIN names one vehicle: the unique index settles two simultaneous creations that the lookup in
# core.vehicles.create_vehicle cannot. (The autodetector also re-emits primary keys of ChatState and
# InboxUpdate here; those operations are dropped, as in 0002.)
class Migration(migrations.Migration):
    dependencies = [('models', '0002_crm')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Vehicle',
            name='vin',
            field=fields.CharField(null=True, unique=True, max_length=17),
        ),
    ]
