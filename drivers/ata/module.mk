# The guest's ATA driver (portable) for the emulated IDE disk.
LIBS += xenpvata
xenpvata_SRCS := drivers/ata/ata.c
