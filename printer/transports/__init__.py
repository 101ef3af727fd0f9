"""One module per printer transport; each implements printer.port.TicketPrinter."""
