namespace LstmNotebooks; internal static class Placeholder {}
