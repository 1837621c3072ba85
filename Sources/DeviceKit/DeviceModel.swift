// DeviceKit opens what the device model (CounterCore/Devices) describes: a printer's transport is made from its
// `PrinterAddress`, a serial line from its `SerialLineSettings`. The model is re-exported so a user of a transport
// names the address it was made from without a second import.
@_exported import CounterCore
