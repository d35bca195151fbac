"""What leaves dxplan: figure exports now; official reports and the national feed later."""
